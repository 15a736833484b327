import CCurl
import Crypto
import CurlShim
import Foundation

/// One libcurl transfer of a URL into a file, with its outcome. Retries are the caller's business.
///
/// Runs synchronously; ``Fetcher`` runs it on a thread of its own so that `curl_easy_perform`
/// never blocks Swift's cooperative pool.
final class CurlTransfer {
    struct Outcome {
        var curlCode: CURLcode
        var curlMessage: String
        var httpStatus: Int
        var bytes: Int64
        var sha256: String
        var etag: String?
        var lastModified: String?
        var retryAfter: Double?
        var exceededCap: Bool
        var writeFailed: Bool
        var cancelled: Bool
    }

    /// State shared with the C callbacks; passed as an unmanaged pointer because `@convention(c)`
    /// closures cannot capture.
    final class Context {
        let fd: Int32
        let maxBytes: Int64
        var hasher = SHA256()
        var bytes: Int64 = 0
        var exceededCap = false
        var writeFailed = false
        var headers: [String: String] = [:]
        var progress: (@Sendable (Int64, Int64) -> Void)?
        var isCancelled: @Sendable () -> Bool

        init(fd: Int32, maxBytes: Int64, isCancelled: @escaping @Sendable () -> Bool) {
            self.fd = fd
            self.maxBytes = maxBytes
            self.isCancelled = isCancelled
        }
    }

    static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    static func perform(
        url: String, to path: String, validators: Validators?, options: FetchOptions,
        progress: (@Sendable (Int64, Int64) -> Void)?,
        isCancelled: @escaping @Sendable () -> Bool
    ) -> Outcome {
        _ = globalInit
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let context = Context(fd: fd, maxBytes: options.maxBytes, isCancelled: isCancelled)
        context.progress = progress
        defer { if fd >= 0 { close(fd) } }
        guard fd >= 0, let handle = curl_easy_init() else {
            return Outcome(
                curlCode: CURLE_WRITE_ERROR, curlMessage: "cannot create \(path)", httpStatus: 0, bytes: 0,
                sha256: "", etag: nil, lastModified: nil, retryAfter: nil, exceededCap: false, writeFailed: true,
                cancelled: false)
        }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        rm_curl_set_string(handle, CURLOPT_URL, url)
        rm_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        rm_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        rm_curl_set_long(handle, CURLOPT_MAXREDIRS, options.maxRedirects)
        // Only these schemes, and redirects may never lead to file:// (or anything but http/https).
        rm_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file")
        rm_curl_set_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        rm_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        rm_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        rm_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        rm_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(options.totalTimeout * 1000))
        rm_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
        rm_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime)
        rm_curl_set_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBytes))
        rm_curl_set_string(handle, CURLOPT_USERAGENT, options.userAgent)
        // Empty string: accept every encoding libcurl can decode (gzip, deflate…) and decode it.
        rm_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        rm_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if let etag = validators?.etag { headerList = curl_slist_append(headerList, "If-None-Match: \(etag)") }
        if let lastModified = validators?.lastModified {
            headerList = curl_slist_append(headerList, "If-Modified-Since: \(lastModified)")
        }
        if headerList != nil { rm_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList) }

        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let pointer = unmanaged.toOpaque()
        rm_curl_set_write_callback(
            handle,
            { data, size, count, user in
                let context = Unmanaged<CurlTransfer.Context>.fromOpaque(user!).takeUnretainedValue()
                let length = size * count
                if context.isCancelled() { return 0 }
                if context.bytes + Int64(length) > context.maxBytes {
                    context.exceededCap = true
                    return 0
                }
                let buffer = UnsafeRawBufferPointer(start: data, count: length)
                context.hasher.update(bufferPointer: buffer)
                var offset = 0
                while offset < length {
                    let n = write(context.fd, buffer.baseAddress! + offset, length - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        context.writeFailed = true
                        return 0
                    }
                    offset += n
                }
                context.bytes += Int64(length)
                return length
            }, pointer)
        rm_curl_set_header_callback(
            handle,
            { data, size, count, user in
                let context = Unmanaged<CurlTransfer.Context>.fromOpaque(user!).takeUnretainedValue()
                let length = size * count
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                if line.hasPrefix("HTTP/") { context.headers = [:] }  // a new response (redirect, 100-continue)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                    context.headers[name] = value
                }
                return length
            }, pointer)
        rm_curl_set_progress_callback(
            handle,
            { user, total, now, _, _ in
                let context = Unmanaged<CurlTransfer.Context>.fromOpaque(user!).takeUnretainedValue()
                if context.isCancelled() { return 1 }
                context.progress?(Int64(now), Int64(total))
                return 0
            }, pointer)

        let code = curl_easy_perform(handle)
        var status = 0
        rm_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let message = String(cString: errorBuffer)
        let retryAfter = context.headers["retry-after"].flatMap { value -> Double? in
            if let seconds = Double(value) { return seconds }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
        }
        return Outcome(
            curlCode: code, curlMessage: message.isEmpty ? String(cString: curl_easy_strerror(code)) : message,
            httpStatus: status, bytes: context.bytes,
            sha256: context.hasher.finalize().map { String(format: "%02x", $0) }.joined(),
            etag: context.headers["etag"], lastModified: context.headers["last-modified"],
            retryAfter: retryAfter, exceededCap: context.exceededCap, writeFailed: context.writeFailed,
            cancelled: context.isCancelled())
    }
}

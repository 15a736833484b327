import CCurl
import Crypto
import CurlShim
import Foundation

/// One POST of a JSON body through libcurl (TLS verified, no redirects followed, a total
/// timeout), for webhook deliveries; its answer's body is read and dropped.
public enum WebhookPost {
    /// How the POST went.
    public struct Outcome: Sendable, Equatable {
        /// The HTTP status, 0 when no answer came.
        public var httpStatus: Int
        /// libcurl's message when the transfer failed (refused, timed out…).
        public var error: String?
        public var seconds: Double

        public init(httpStatus: Int, error: String?, seconds: Double) {
            self.httpStatus = httpStatus
            self.error = error
            self.seconds = seconds
        }

        /// The receiver took it (2xx).
        public var delivered: Bool { error == nil && (200..<300).contains(httpStatus) }
    }

    /// `sha256=` and the hex HMAC-SHA256 of `body` with `key`: the `X-Ruralmap-Signature` header
    /// (GitHub's convention), which a receiver recomputes with the shared secret.
    public static func signature(of body: Data, key: Data) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// POSTs `body` to `url` with `headers` (`Name: value`) on a thread of its own, so that a
    /// receiver that never answers holds no task of the pool; gives up after `timeout` seconds, or
    /// as soon as the calling task is cancelled (the daemon stopping).
    public static func send(
        url: String, body: Data, headers: [String], timeout: Double, userAgent: String
    ) async -> Outcome {
        await CancellationFlag.offPool(thread: "webhook") { flag in
            perform(url: url, body: body, headers: headers, timeout: timeout, userAgent: userAgent, flag: flag)
        }
    }

    private static func perform(
        url: String, body: Data, headers: [String], timeout: Double, userAgent: String, flag: CancellationFlag
    ) -> Outcome {
        _ = CurlTransfer.globalInit
        let started = Date()
        guard let handle = curl_easy_init() else {
            return Outcome(httpStatus: 0, error: "cannot start libcurl", seconds: 0)
        }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for header in headers { list = curl_slist_append(list, header) }
        rm_curl_set_string(handle, CURLOPT_URL, url)
        rm_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        rm_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        rm_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        rm_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        rm_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        rm_curl_set_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(timeout * 1000)))
        rm_curl_set_string(handle, CURLOPT_USERAGENT, userAgent)
        rm_curl_set_slist(handle, CURLOPT_HTTPHEADER, list)
        rm_curl_set_long(handle, CURLOPT_POST, 1)
        rm_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        // Copied by libcurl (the size set just before), so the bytes need not outlive this call.
        body.withUnsafeBytes { bytes in
            _ = rm_curl_set_pointer(
                handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
        rm_curl_set_write_callback(handle, { _, size, count, _ in size * count }, nil)
        // libcurl calls this about once a second and while data flows: a non-zero answer aborts.
        let unmanaged = Unmanaged.passRetained(flag)
        defer { unmanaged.release() }
        rm_curl_set_progress_callback(
            handle,
            { user, _, _, _, _ in
                Unmanaged<CancellationFlag>.fromOpaque(user!).takeUnretainedValue().isSet ? 1 : 0
            }, unmanaged.toOpaque())
        let code = curl_easy_perform(handle)
        var status = 0
        rm_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let error = code == CURLE_OK ? nil : String(cString: curl_easy_strerror(code))
        return Outcome(httpStatus: status, error: error, seconds: Date().timeIntervalSince(started))
    }
}

import CCurl
import Foundation
import Logging

/// Downloads URLs (http, https, file) with libcurl into a content-addressed archive.
///
/// Every completed body is hashed while it streams to a temp file in the cache directory, then
/// renamed into the archive under its SHA-256 (official sites delete old vintages; we keep them).
/// Connection errors, timeouts, 429 and 5xx are retried with exponential backoff and jitter;
/// other 4xx are not. A partial body is never archived.
///
/// ```swift
/// let fetcher = Fetcher(
///     cacheDirectory: "var/cache", archive: DownloadArchive(directory: "var/archive"), options: .init(),
///     logger: logger)
/// switch try await fetcher.fetch("https://www.insee.fr/…/v_commune_2026.csv", validators: nil) { … }
/// ```
public struct Fetcher: Sendable {
    public let cacheDirectory: String
    public let archive: DownloadArchive
    public let options: FetchOptions
    public let logger: Logger

    public init(cacheDirectory: String, archive: DownloadArchive, options: FetchOptions, logger: Logger) {
        self.cacheDirectory = cacheDirectory
        self.archive = archive
        self.options = options
        self.logger = logger
    }

    /// Downloads `url`, sending `validators` as a conditional GET.
    /// - Throws: ``FetchError`` once retries are exhausted or on a non-retryable failure.
    ///
    /// A `file://` URL answers `.notModified` without being read when its ``LocalFileFingerprint``
    /// equals `validators.etag`; once read, its fingerprint is returned as its ETag.
    public func fetch(_ url: String, validators: Validators?, label: String? = nil) async throws -> FetchResult {
        let fingerprint = LocalFileFingerprint(url: url)
        if let fingerprint, validators?.etag == fingerprint.validator { return .notModified(httpStatus: 0) }
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        let temp = "\(cacheDirectory)/.partial-\(UUID().uuidString)"
        defer { unlink(temp) }
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let reporter = ProgressReporter(label: label ?? url, logger: logger)
            let outcome = await Self.performOffPool(
                url: url, path: temp, validators: validators, options: options, reporter: reporter)
            reporter.finish()
            let failure = classify(outcome, url: url, attempt: attempt)
            guard let failure else {
                if outcome.httpStatus == 304 { return .notModified(httpStatus: 304) }
                let stored = try archive.store(temp, sha256: outcome.sha256)
                return .downloaded(
                    DownloadedFile(
                        path: stored, sha256: outcome.sha256, bytes: outcome.bytes,
                        httpStatus: outcome.httpStatus,
                        validators: Validators(
                            etag: fingerprint?.validator ?? outcome.etag,
                            lastModified: outcome.lastModified),
                        attempts: attempt))
            }
            guard failure.retryable, attempt <= options.retries else { throw failure.error }
            let backoff = options.retryBaseDelay * pow(2, Double(attempt - 1)) * Double.random(in: 0.5...1.5)
            let delay = min(outcome.retryAfter ?? backoff, options.maxRetryAfter)
            logger.warning(
                "download failed, retrying",
                metadata: [
                    "url": "\(url)", "attempt": "\(attempt)", "error": "\(failure.error.message)",
                    "retry_in_s": "\(String(format: "%.1f", delay))",
                ])
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        }
    }

    private func classify(_ o: CurlTransfer.Outcome, url: String, attempt: Int) -> (error: FetchError, retryable: Bool)?
    {
        func fail(_ code: FetchError.Code, _ message: String, retryable: Bool) -> (FetchError, Bool) {
            (
                FetchError(
                    code: code, url: url, message: message, httpStatus: o.httpStatus == 0 ? nil : o.httpStatus,
                    attempts: attempt), retryable
            )
        }
        if o.cancelled { return fail(.cancelled, "download cancelled", retryable: false) }
        if o.exceededCap || o.curlCode == CURLE_FILESIZE_EXCEEDED {
            return fail(.tooLarge, "body larger than the cap of \(options.maxBytes) bytes", retryable: false)
        }
        if o.writeFailed { return fail(.io, "cannot write the download to \(cacheDirectory)", retryable: false) }
        switch o.curlCode {
        case CURLE_OK: break
        case CURLE_UNSUPPORTED_PROTOCOL:
            return fail(
                .refusedProtocol,
                "refused: only http, https and file URLs are fetched, and redirects only to http(s) (\(o.curlMessage))",
                retryable: false)
        case CURLE_TOO_MANY_REDIRECTS:
            return fail(.tooManyRedirects, "more than \(options.maxRedirects) redirects", retryable: false)
        case CURLE_OPERATION_TIMEDOUT:
            return fail(.timeout, "timed out: \(o.curlMessage)", retryable: true)
        case CURLE_FILE_COULDNT_READ_FILE, CURLE_READ_ERROR:
            return fail(.transport, o.curlMessage, retryable: false)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE,
            CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return fail(.transport, o.curlMessage, retryable: true)
        default:
            return fail(.transport, o.curlMessage, retryable: false)
        }
        switch o.httpStatus {
        case 0, 200..<300, 304: return nil
        case 429, 500..<600: return fail(.http, "HTTP \(o.httpStatus)", retryable: true)
        default: return fail(.http, "HTTP \(o.httpStatus)", retryable: false)
        }
    }

    /// Runs the blocking transfer on a dedicated thread and resumes the caller when it ends.
    private static func performOffPool(
        url: String, path: String, validators: Validators?, options: FetchOptions,
        reporter: ProgressReporter
    ) async -> CurlTransfer.Outcome {
        await CancellationFlag.offPool(thread: "curl") { flag in
            CurlTransfer.perform(
                url: url, to: path, validators: validators, options: options,
                progress: { now, total in reporter.update(bytes: now, total: total) }, isCancelled: { flag.isSet })
        }
    }
}

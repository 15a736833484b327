/// Limits and policies for downloads; the `[fetch]` config section maps onto it.
public struct FetchOptions: Sendable {
    public var connectTimeout: Double = 30
    /// Whole-transfer limit, seconds.
    public var totalTimeout: Double = 3600
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is aborted.
    public var lowSpeedLimit: Int = 1024
    public var lowSpeedTime: Int = 60
    /// Retries after the first attempt, for connection errors, timeouts, 429 and 5xx.
    public var retries: Int = 4
    /// First backoff delay in seconds; doubles each retry, with jitter.
    public var retryBaseDelay: Double = 1
    /// The longest a Retry-After header may make us wait.
    public var maxRetryAfter: Double = 600
    /// Largest body accepted, bytes.
    public var maxBytes: Int64 = 16 << 30
    public var maxRedirects: Int = 5
    public var userAgent: String = "ruralmapd"

    public init() {}
}

/// HTTP validators remembered from the last successful download of a URL.
public struct Validators: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// What a fetch produced.
public enum FetchResult: Sendable {
    /// The server answered 304 Not Modified to our validators.
    case notModified(httpStatus: Int)
    /// A complete body, verified and stored in the archive.
    case downloaded(DownloadedFile)
}

/// A complete download, archived under its SHA-256.
public struct DownloadedFile: Sendable {
    /// Where the bytes are (inside the archive directory).
    public let path: String
    public let sha256: String
    public let bytes: Int64
    /// The HTTP status (0 for `file://`).
    public let httpStatus: Int
    public let validators: Validators
    public let attempts: Int

    public init(path: String, sha256: String, bytes: Int64, httpStatus: Int, validators: Validators, attempts: Int) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
        self.httpStatus = httpStatus
        self.validators = validators
        self.attempts = attempts
    }
}

/// A download that failed for good, after any retries.
public struct FetchError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case http, transport, timeout, tooLarge, refusedProtocol, tooManyRedirects, io, cancelled
    }

    public let code: Code
    public let url: String
    public let message: String
    public let httpStatus: Int?
    public let attempts: Int

    public var description: String {
        "\(url): \(message)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
    }
}

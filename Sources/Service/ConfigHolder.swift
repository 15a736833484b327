import Pipeline
import Synchronization

/// The configuration in force; SIGHUP swaps it only for one that loaded and validated.
public final class ConfigHolder: Sendable {
    private let state: Mutex<Config>
    public let path: String

    public init(_ config: Config, path: String) {
        state = Mutex(config)
        self.path = path
    }

    public var current: Config { state.withLock { $0 } }

    /// Re-reads the file. On error the old config stays and the error is returned.
    public func reload() -> Result<Config, Error> {
        do {
            let fresh = try Config.load(path: path)
            state.withLock { $0 = fresh }
            return .success(fresh)
        } catch {
            return .failure(error)
        }
    }
}

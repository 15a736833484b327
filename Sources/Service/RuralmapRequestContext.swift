import Foundation
import Hummingbird
import Pipeline

/// The API's request context: Hummingbird's basic context with the body limit of the API (its
/// bodies are a status and a note), and the contracts' JSON encoding.
public struct RuralmapRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) { coreContext = .init(source: source) }

    /// Bodies over this size answer 413.
    public var maxUploadSize: Int { 64 * 1024 }

    public var responseEncoder: JSONEncoder { ContractEncoding.encoder(indented: false) }
}

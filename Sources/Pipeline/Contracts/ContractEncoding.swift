import Foundation

/// The one JSON encoding of every contract, shared by the CLI (`--json`) and the API: keys in
/// snake case and sorted, slashes left as they are; indented for people at a terminal, compact
/// on the wire.
public enum ContractEncoding {
    public static func encoder(indented: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting =
            indented ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The decoder of what ``encoder(indented:)`` writes (for clients of the CLI and the API).
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// The text of `value`, indented (the CLI's `--json`).
    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder(indented: true).encode(value), as: UTF8.self)
    }
}

extension String {
    /// The text with each scalar that `replacement` names replaced (JSON escapes, XML entities).
    /// A text without a byte `needsEscape` flags is returned as it is: most names, codes and
    /// statuses, which rebuilding scalar by scalar made the slowest part of a whole-France map.
    func escaped(where needsEscape: (UInt8) -> Bool, by replacement: (Unicode.Scalar) -> String?) -> String {
        guard utf8.contains(where: needsEscape) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for u in unicodeScalars {
            if let r = replacement(u) { out += r } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}

/// Text for XML (SVG, Atom): the five predefined entities escaped, so a name, a note or a URL
/// can go in an element or an attribute value.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        // Most names need no entity: returned as they are, not rebuilt character by character.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}

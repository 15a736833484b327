/// Text for XML (SVG, Atom): the five predefined entities escaped, so a name, a note or a URL
/// can go in an element or an attribute value.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        text.escaped(
            where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 },
            by: { u in
                switch u {
                case "&": "&amp;"
                case "<": "&lt;"
                case ">": "&gt;"
                case "\"": "&quot;"
                case "'": "&apos;"
                default: nil
                }
            })
    }
}

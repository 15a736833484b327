import Foundation
import Geo

/// CSV cell encoding: RFC 4180 quoting and formula-injection neutralisation.
public enum CSVCell {
    /// A text cell: prefixed with `'` when a spreadsheet would read it as a formula (`=`, `+`, `-`,
    /// `@`, tab, carriage return), then quoted when it holds the separator, a quote or a line break.
    public static func text(_ value: String, separator: Character) -> String {
        var v = value
        if let first = v.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { v = "'" + v }
        let separatorByte = separator.asciiValue ?? UInt8(ascii: ",")
        // One pass over the bytes: Foundation's String.contains costs more than the rest of the row.
        if v.utf8.contains(where: { $0 == separatorByte || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    /// A number cell (never neutralised), with `,` as decimal separator for French spreadsheets.
    public static func number(_ value: Double, decimals: Int, decimalComma: Bool) -> String {
        let s = DecimalText.format(value, decimals: decimals)
        return decimalComma ? s.replacingOccurrences(of: ".", with: ",") : s
    }
}

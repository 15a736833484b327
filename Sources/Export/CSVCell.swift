import Foundation
import Geo

/// CSV cell encoding: RFC 4180 quoting and formula-injection neutralisation.
public enum CSVCell {
    /// A text cell: prefixed with `'` when a spreadsheet would read it as a formula (`=`, `+`, `-`,
    /// `@`, tab, carriage return), then quoted when it holds the separator, a quote or a line break.
    public static func text(_ value: String, separator: Character) -> String {
        var v = value
        if let first = v.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { v = "'" + v }
        if v.contains(separator) || v.contains("\"") || v.contains("\n") || v.contains("\r") {
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

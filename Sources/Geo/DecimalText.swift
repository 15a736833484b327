/// Fixed-point decimal text without Foundation's `String(format:)`, which costs microseconds per
/// call on Linux (dynamic casts of its variadic arguments): a national export formats over a
/// million numbers.
public enum DecimalText {
    private static let powers: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// `value` rounded to `decimals` places (0…8), with a point; `trimmed` drops trailing zeros
    /// and a trailing point. Never `-0`.
    ///
    /// ```swift
    /// DecimalText.format(2.50, decimals: 2)                  // "2.5"
    /// DecimalText.format(2.50, decimals: 2, trimmed: false)  // "2.50"
    /// ```
    public static func format(_ value: Double, decimals: Int, trimmed: Bool = true) -> String {
        let places = min(max(decimals, 0), powers.count - 1)
        let scaled = (abs(value) * powers[places]).rounded(.toNearestOrEven)  // as printf does
        guard value.isFinite, scaled < 9e15 else { return value.isFinite ? String(Int64(value.rounded())) : "0" }
        let units = Int64(scaled)
        let unit = Int64(powers[places])
        var whole = String(units / unit)
        if value < 0 && units != 0 { whole = "-" + whole }
        guard places > 0 else { return whole }
        var fraction = String(units % unit)
        fraction = String(repeating: "0", count: places - fraction.count) + fraction
        if trimmed { while fraction.last == "0" { fraction.removeLast() } }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}

/// Decimal numbers as the official files write them (`4.931933`, `-0,5`, `849064.2`), read from
/// their bytes.
public enum DecimalText {
    /// The value of `bytes` when they are a plain decimal: an optional sign, digits with at most
    /// one `.` or `,` among them, at most 15 significant digits. Nil for anything else (empty,
    /// an exponent, more digits), which `Double(String)` is left to read.
    ///
    /// Such a number is an integer below 2^53 divided by a power of ten up to 10^22, both exact as
    /// doubles: their quotient is the correctly rounded value (Clinger's fast path), the one
    /// `Double(String)` gives. Through a `String` and `strtod`, coordinates were a twentieth of a
    /// national BPE parse.
    public static func plain(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var fraction: Int?
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ".") || b == UInt8(ascii: ",") {
                guard fraction == nil else { return nil }
                fraction = 0
                continue
            }
            let digit = b &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            digits += 1
            if significant > 0 || digit != 0 { significant += 1 }
            guard significant <= 15 else { return nil }
            mantissa = mantissa * 10 + UInt64(digit)
            if let f = fraction { fraction = f + 1 }
        }
        guard digits > 0 else { return nil }
        let scale = fraction ?? 0
        guard scale < powersOfTen.count else { return nil }
        let value = Double(mantissa) / powersOfTen[scale]
        return negative ? -value : value
    }

    /// 10^0 … 10^22: the powers of ten a double holds exactly.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]
}

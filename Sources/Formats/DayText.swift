/// Calendar days written in ISO 8601 (`2019-05-31`), as the official files write them.
public enum DayText {
    /// `2019-05-31` as 20190531, a month or a year alone as its day 0 (`2019-05` as 20190500):
    /// numbers that order as the texts do against full days; nil for anything else.
    public static func number(_ text: String) -> Int32? {
        let parts = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        var value: Int32 = 0
        for (i, part) in parts.enumerated() {
            guard part.count == (i == 0 ? 4 : 2), part.allSatisfy(digits.contains) else { return nil }
            value = value * 100 + part.reduce(0) { $0 * 10 + Int32($1 - digits.lowerBound) }
        }
        for _ in parts.count..<3 { value *= 100 }
        return value
    }
}

import Foundation

/// CSV as pandas' `read_csv` reads it without options: comma-separated, RFC 4180 quoting where needed.
public enum CSV {
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// Fixed six decimals, the precision of every probability and time facemood writes.
    public static func decimal(_ value: Double) -> String { String(format: "%.6f", value) }
    public static func decimal(_ value: Float) -> String { decimal(Double(value)) }
}

import FaceMood
import Foundation

/// CSV as pandas' `read_csv` reads it without options: comma-separated, RFC 4180 quoting where needed.
package enum CSV {
    package static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    package static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// The fields of one CSV line (RFC 4180 quoting).
    package static func parse(line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    // A doubled quote is a literal quote; a single one ends the quoted part.
                    var lookahead = characters
                    if lookahead.next() == "\"" {
                        field.append("\"")
                        characters = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else if character != "\r" {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }

    /// Fixed six decimals, the precision of every probability and time facemood writes.
    package static func decimal(_ value: Double) -> String { TimelinePrecision.text(value) }
    package static func decimal(_ value: Float) -> String { decimal(Double(value)) }
}

import Foundation

/// A parsed JSON document (Keras's `model_config`), navigated by key and index.
enum JSONValue: Equatable, Sendable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSONValue? {
        if case let .object(object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case let .array(array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var string: String? { if case let .string(value) = self { return value }; return nil }
    var array: [JSONValue]? { if case let .array(value) = self { return value }; return nil }
    var object: [String: JSONValue]? { if case let .object(value) = self { return value }; return nil }
    var double: Double? { if case let .number(value) = self { return value }; return nil }
    var bool: Bool? { if case let .bool(value) = self { return value }; return nil }
    var isNull: Bool { self == .null }

    /// A whole number within `ModelLimits.configInteger`; nil for anything else (fractions, 1e30, NaN).
    var int: Int? {
        guard let double, double.rounded() == double, abs(double) <= Double(ModelLimits.configInteger) else { return nil }
        return Int(double)
    }

    /// Keras writes sizes either as one number or as a list ("kernel_size": 3 or [3, 3]).
    func intList(count: Int) -> [Int]? {
        if let single = int { return Array(repeating: single, count: count) }
        guard let values = array?.compactMap(\.int), values.count == count else { return nil }
        return values
    }

    /// Compact text for error messages.
    var summary: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return "\(value)"
        case let .number(value): return value.rounded() == value && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        case let .string(value): return "'\(value)'"
        case let .array(values): return "[" + values.map(\.summary).joined(separator: ", ") + "]"
        case let .object(object): return "{" + object.keys.sorted().joined(separator: ", ") + "}"
        }
    }
}

extension JSONValue {
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

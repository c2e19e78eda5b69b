import Foundation

/// Why a `.tflite` model could not be loaded or run; every message names the file and says what was expected.
public enum TFLiteError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(path: String, what: String)
    case unsupportedOperator(path: String, name: String, supported: [String])
    case unsupportedTensor(path: String, tensor: String, type: String)
    case shapeMismatch(path: String, operation: String, expected: String, found: String)
    case input(expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): expected a TensorFlow Lite model, but the file cannot be read: \(reason)"
        case let .malformed(path, what):
            return "\(path): expected a TensorFlow Lite model (a FlatBuffer with identifier TFL3), found \(what)"
        case let .unsupportedOperator(path, name, supported):
            return "\(path): unsupported operator \(name); supported: \(supported.joined(separator: ", "))"
        case let .unsupportedTensor(path, tensor, type):
            return "\(path): tensor '\(tensor)' has type \(type); supported: FLOAT32, FLOAT16 (behind DEQUANTIZE), INT32 (shapes)"
        case let .shapeMismatch(path, operation, expected, found):
            return "\(path): \(operation) expected \(expected), found \(found)"
        case let .input(expected, found):
            return "model input: expected \(expected), found \(found)"
        }
    }
}

extension TFLiteError: LocalizedError {
    public var errorDescription: String? { description }
}

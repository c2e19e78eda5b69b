import Foundation
/// Why a model could not be loaded or run; every message names the file and says what was expected.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case notHDF5(path: String, reason: String)
    case notAKerasModel(path: String, found: String)
    case malformed(path: String, expected: String, found: String)
    case unsupportedLayer(path: String, type: String, name: String, supported: [String])
    case unsupportedConfiguration(path: String, layer: String, setting: String, value: String)
    case shapeMismatch(path: String, layer: String, expected: String, found: String)
    case labels(path: String, reason: String)
    case sidecar(path: String, reason: String)
    case input(expected: String, found: String)

    public var description: String {
        switch self {
        case let .notHDF5(path, reason):
            return "\(path): expected a Keras HDF5 model, but the file cannot be opened as HDF5: \(reason)"
        case let .notAKerasModel(path, found):
            return "\(path): expected a Keras model (an HDF5 file with a 'model_config' attribute), found \(found)"
        case let .malformed(path, expected, found):
            return "\(path): expected \(expected), found \(found)"
        case let .unsupportedLayer(path, type, name, supported):
            return "\(path): unsupported layer '\(type)' (layer '\(name)'); supported: \(supported.joined(separator: ", "))"
        case let .unsupportedConfiguration(path, layer, setting, value):
            return "\(path): layer '\(layer)' uses \(setting) = \(value), which facemood does not support"
        case let .shapeMismatch(path, layer, expected, found):
            return "\(path): layer '\(layer)' expected \(expected), found \(found)"
        case let .labels(path, reason):
            return "\(path): \(reason)"
        case let .sidecar(path, reason):
            return "\(path): \(reason)"
        case let .input(expected, found):
            return "model input: expected \(expected), found \(found)"
        }
    }
}

extension ModelError: LocalizedError {
    public var errorDescription: String? { description }
}

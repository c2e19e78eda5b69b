import Foundation
/// Why a cascade file cannot be used; every message names the file and says what was expected.
public enum CascadeError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformedXML(path: String, reason: String)
    case unsupported(path: String, expected: String, found: String)
    case invalid(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): expected an OpenCV Haar cascade (XML), but the file cannot be read: \(reason)"
        case let .malformedXML(path, reason):
            return "\(path): expected an OpenCV Haar cascade (XML), but the XML is malformed: \(reason)"
        case let .unsupported(path, expected, found):
            return "\(path): expected \(expected), found \(found)"
        case let .invalid(path, expected, found):
            return "\(path): expected \(expected), found \(found)"
        }
    }
}

/// Detector parameters outside their accepted ranges.
public struct DetectorParameterError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension CascadeError: LocalizedError {
    public var errorDescription: String? { description }
}

extension DetectorParameterError: LocalizedError {
    public var errorDescription: String? { description }
}

import Foundation
import KerasModel

/// How inputs to a classifier are made and what its outputs mean: the labels in output order, the
/// value range the gray pixels are mapped to, and the margin added around a detected face.
public struct ModelProfile: Sendable, Equatable {
    public enum InputRange: String, Sendable, Equatable, CaseIterable {
        case zeroToOne = "[0,1]"
        case minusOneToOne = "[-1,1]"

        /// Accepts `[0,1]`, `0,1`, `[-1,1]`, `-1,1` (spaces ignored).
        public init?(text: String) {
            let compact = text.filter { !$0.isWhitespace }.trimmingCharacters(in: CharacterSet(charactersIn: "[]()"))
            switch compact {
            case "0,1": self = .zeroToOne
            case "-1,1": self = .minusOneToOne
            default: return nil
            }
        }

        /// An 8-bit pixel as the model expects it.
        @inlinable public func normalize(_ pixel: UInt8) -> Float {
            switch self {
            case .zeroToOne: return Float(pixel) / 255
            // As the fer pipeline computes it: x / 255, then (x - 0.5) * 2.
            case .minusOneToOne: return (Float(pixel) / 255 - 0.5) * 2
            }
        }
    }

    /// Where the profile's values came from, for `model-info`.
    public enum Source: String, Sendable, Equatable {
        case builtInDefault = "built-in default for the output count"
        case sidecar = "sidecar file"
        case flags = "command-line flags"
    }

    public var labels: [String]
    public var inputRange: InputRange
    /// Pixels added on every side of the (squared) face box before cropping.
    public var margin: Int
    public var source: Source

    /// FER2013's order, which the default 7-class model uses.
    public static let fer2013Labels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    /// The original real-time script's six classes.
    public static let originalScriptLabels = ["angry", "scared", "happy", "sad", "surprised", "neutral"]

    /// The profile for a model at `modelPath` with `outputs` classes: built-in defaults by output count,
    /// then a sidecar `<model stem>.json` beside it, then the given overrides.
    public static func resolve(modelPath: String, outputs: Int, labels: [String]? = nil,
                               inputRange: InputRange? = nil, margin: Int? = nil) throws -> ModelProfile {
        var profile: ModelProfile?
        switch outputs {
        case 7: profile = ModelProfile(labels: fer2013Labels, inputRange: .minusOneToOne, margin: 10, source: .builtInDefault)
        case 6: profile = ModelProfile(labels: originalScriptLabels, inputRange: .zeroToOne, margin: 0, source: .builtInDefault)
        default: profile = nil
        }
        if let sidecar = try Sidecar.find(for: modelPath) {
            var merged = profile ?? ModelProfile(labels: [], inputRange: .zeroToOne, margin: 0, source: .sidecar)
            if let sidecarLabels = sidecar.labels { merged.labels = sidecarLabels }
            if let range = sidecar.inputRange { merged.inputRange = range }
            if let sidecarMargin = sidecar.margin { merged.margin = sidecarMargin }
            merged.source = .sidecar
            profile = merged
        }
        if labels != nil || inputRange != nil || margin != nil {
            var merged = profile ?? ModelProfile(labels: [], inputRange: .zeroToOne, margin: 0, source: .flags)
            if let labels { merged.labels = labels }
            if let inputRange { merged.inputRange = inputRange }
            if let margin { merged.margin = margin }
            merged.source = .flags
            profile = merged
        }
        guard let profile, !profile.labels.isEmpty else {
            throw ModelError.labels(path: modelPath, reason: "the model has \(outputs) outputs and no labels: pass --labels with \(outputs) names (or add a sidecar .json)")
        }
        guard profile.labels.count == outputs else {
            throw ModelError.labels(path: modelPath, reason: "expected \(outputs) labels for the model's \(outputs) outputs, found \(profile.labels.count) (\(profile.labels.joined(separator: ",")))")
        }
        guard (0...maximumMargin).contains(profile.margin) else {
            throw ModelError.labels(path: modelPath, reason: "expected a margin of 0 to \(maximumMargin) pixels, found \(profile.margin)")
        }
        try checkLabels(profile.labels, modelPath: modelPath)
        return profile
    }

    /// A wider margin than any frame accepted (`ImageLimits`) could use.
    public static let maximumMargin = 8192

    /// Names the timelines already use for their own columns and keys.
    public static let reservedLabels = Set(TimelineColumns.fixed + TimelineColumns.jsonOnly + TimelineColumns.smoothing)

    /// Labels become CSV columns and JSON keys: each must be non-empty, unique and not a reserved name.
    static func checkLabels(_ labels: [String], modelPath: String) throws {
        var seen: Set<String> = []
        for label in labels {
            guard !label.isEmpty else {
                throw ModelError.labels(path: modelPath, reason: "expected non-empty label names, found an empty one in \(labels.joined(separator: ","))")
            }
            guard !reservedLabels.contains(label) else {
                throw ModelError.labels(path: modelPath, reason: "expected labels that are not timeline column names (\(reservedLabels.sorted().joined(separator: ", "))), found '\(label)'")
            }
            guard seen.insert(label).inserted else {
                throw ModelError.labels(path: modelPath, reason: "expected distinct labels, found '\(label)' twice")
            }
        }
    }

    /// `<model>.json` beside the model: `{"labels": [...], "input_range": "[-1,1]", "margin": 10}`, every key optional.
    struct Sidecar {
        var labels: [String]?
        var inputRange: InputRange?
        var margin: Int?

        static func path(for modelPath: String) -> [String] {
            let url = URL(fileURLWithPath: modelPath)
            return [url.deletingPathExtension().appendingPathExtension("json").path, modelPath + ".json"]
        }

        static func find(for modelPath: String) throws -> Sidecar? {
            guard let path = Self.path(for: modelPath).first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw ModelError.sidecar(path: path, reason: "expected a JSON object with labels, input_range and margin, found unreadable JSON")
            }
            guard let dictionary = object as? [String: Any] else {
                throw ModelError.sidecar(path: path, reason: "expected a JSON object, found another JSON value")
            }
            var sidecar = Sidecar()
            if let labels = dictionary["labels"] {
                guard let list = labels as? [String], !list.isEmpty else {
                    throw ModelError.sidecar(path: path, reason: "expected \"labels\" to be a list of names")
                }
                sidecar.labels = list
            }
            if let range = dictionary["input_range"] {
                guard let text = range as? String, let parsed = InputRange(text: text) else {
                    throw ModelError.sidecar(path: path, reason: "expected \"input_range\" to be \"[0,1]\" or \"[-1,1]\", found \(range)")
                }
                sidecar.inputRange = parsed
            }
            if let margin = dictionary["margin"] {
                guard let number = margin as? Int, number >= 0 else {
                    throw ModelError.sidecar(path: path, reason: "expected \"margin\" to be a whole number of pixels, found \(margin)")
                }
                sidecar.margin = number
            }
            return sidecar
        }
    }
}

/// The names a timeline gives its own values, beside one column or member per label.
public enum TimelineColumns {
    /// The CSV columns before the labels' probabilities.
    public static let fixed = ["frame", "time_s", "duration_s", "faces", "x", "y", "w", "h", "emotion", "confidence"]
    /// Members of a JSON frame object that are not CSV columns.
    public static let jsonOnly = ["box", "probs"]
    /// The CSV column and the JSON member that start the smoothed values (`--smooth`).
    public static let smoothing = ["smoothed_emotion", "smoothed"]
}

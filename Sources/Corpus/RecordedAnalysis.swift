import FaceMood
import Foundation
import TimelineOutputs

/// What a finished analysis's JSON timeline records, read without reading its frames: the members
/// before `"frames"` (tool, input, model, detector, sampling) and the `"summary"` after them.
public struct RecordedAnalysis {
    /// The members before `"frames"`.
    let head: [String: Any]
    public let summary: ManifestSummary

    /// Bytes read from each end of the file: the head and the summary are a few kilobytes.
    static let window = 256 * 1024

    public init(jsonFile path: String, labels: [String]) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CorpusError("\(path): expected a JSON timeline, found no readable file")
        }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: Self.window)) ?? Data()
        guard let headEnd = start.range(of: Data(",\n\"frames\":[".utf8)),
              let head = try? JSONSerialization.jsonObject(with: start[..<headEnd.lowerBound] + Data("}".utf8)) as? [String: Any] else {
            throw CorpusError("\(path): expected a JSON timeline written by facemood analyze, found no metadata before \"frames\"")
        }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(Self.window) ? size - UInt64(Self.window) : 0)
        let end = (try? handle.readToEnd()) ?? Data()
        guard let summaryStart = end.range(of: Data("\n\"summary\":".utf8), options: .backwards),
              let closing = end.lastIndex(of: UInt8(ascii: "}")), closing > summaryStart.upperBound,
              let summaryObject = try? JSONSerialization.jsonObject(with: end[summaryStart.upperBound..<closing]) as? [String: Any],
              let summary = ManifestSummary(json: summaryObject, labels: labels) else {
            throw CorpusError("\(path): expected a JSON timeline ending in its summary with the labels \(labels.joined(separator: ",")), found none")
        }
        self.head = head
        self.summary = summary
    }

    /// Why this record does not describe an analysis of `input` as `settings` would make it, or nil when it does.
    /// `settings` are the members `JSONTimelineSink.settings` writes; the model's path may differ, its
    /// SHA-256 may not.
    public func mismatch(input: String, settings: [(String, String)]) -> String? {
        let tool = head["tool"] as? [String: Any]
        guard let version = tool?["version"] as? String else { return "no tool version is recorded" }
        if version != FaceMoodTool.version { return "written by facemood \(version), this is \(FaceMoodTool.version)" }
        let recordedInput = head["input"] as? [String: Any]
        guard let identity = FileIdentity(path: input) else { return "the input is not a regular file" }
        if (recordedInput?["size_bytes"] as? NSNumber)?.int64Value != identity.sizeBytes
            || recordedInput?["modified"] as? String != identity.modifiedText {
            return "the input changed (size or modification time)"
        }
        for (name, text) in settings {
            guard let expected = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) else { continue }
            // The same model may be named by another path.
            let comparable = { (value: Any) -> Any in
                guard name == "model", var object = value as? [String: Any] else { return value }
                object["path"] = nil
                return object
            }
            if Self.canonical(comparable(expected)) != Self.canonical(comparable(head[name] ?? NSNull())) {
                return "the \(name) settings differ"
            }
        }
        return nil
    }

    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }
}

/// The figures of one video a manifest row and the corpus table show.
public struct ManifestSummary: Sendable, Equatable {
    public var frames: Int
    public var duration: Double
    public var faceRatio: Double
    public var faceSeconds: Double
    public var dominantEmotion: String?
    /// Share of face time per label, in the labels' order.
    public var shares: [Double]

    public init(_ summary: EmotionSummary) {
        frames = summary.frames
        duration = summary.duration
        faceRatio = summary.faceRatio
        faceSeconds = summary.faceSeconds
        dominantEmotion = summary.dominantEmotion
        shares = summary.labels.indices.map(summary.shareOfFaceTime)
    }

    /// From the JSON timeline's `"summary"` object.
    init?(json: [String: Any], labels: [String]) {
        guard let frames = (json["frames"] as? NSNumber)?.intValue, let duration = (json["duration_s"] as? NSNumber)?.doubleValue,
              let faceRatio = (json["face_ratio"] as? NSNumber)?.doubleValue,
              let faceSeconds = (json["face_seconds"] as? NSNumber)?.doubleValue,
              let emotions = json["emotions"] as? [String: Any], Set(emotions.keys) == Set(labels) else { return nil }
        self.frames = frames
        self.duration = duration
        self.faceRatio = faceRatio
        self.faceSeconds = faceSeconds
        dominantEmotion = json["dominant_emotion"] as? String
        shares = labels.map { ((emotions[$0] as? [String: Any])?["share_of_face_time"] as? NSNumber)?.doubleValue ?? 0 }
    }
}

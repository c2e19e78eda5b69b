import FaceMood
import Foundation
import TimelineOutputs

/// WebVTT subtitles: one cue per dominant-emotion segment, "emotion (mean confidence %)", so any player
/// shows the emotion over the original video.
final class WebVTTExporter: TimelineExporter {
    private var segments = SegmentBuilder()

    init(labels: [String]) {}

    func add(_ row: TimelineRow) throws {
        segments.add(time: row.time, duration: row.duration, emotion: row.emotion, confidence: row.confidence)
    }

    func finish() throws -> [(suffix: String, text: String)] {
        var cues = ["WEBVTT", ""]
        for (index, segment) in segments.finish().enumerated() {
            cues.append(String(index + 1))
            cues.append(Self.timestamp(segment.start) + " --> " + Self.timestamp(max(segment.end, segment.start + 0.001)))
            // A cue's text cannot hold "-->", and & and < are markup.
            let text = segment.emotion.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: "-->", with: "->")
            cues.append("\(text) (\(Int((segment.meanConfidence * 100).rounded()))%)")
            cues.append("")
        }
        return [("", cues.joined(separator: "\n"))]
    }

    /// `hh:mm:ss.ttt`.
    static func timestamp(_ seconds: Double) -> String {
        let milliseconds = Int((max(seconds, 0) * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", milliseconds / 3_600_000, milliseconds / 60_000 % 60, milliseconds / 1000 % 60, milliseconds % 1000)
    }
}

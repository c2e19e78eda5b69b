import FaceMood
import Foundation
import TimelineOutputs

/// One video of a report: what its timeline says (summary, chart) and which video file plays beside it.
public struct VideoReport {
    public let timeline: String
    public let title: String
    public let summary: EmotionSummary
    let plot: TimelinePlot
    /// The overlay beside the timeline if there is one, else the analysed input when it still exists.
    public let media: String?

    /// Reads `timeline` (its rows one at a time).
    public init(timeline: String) throws {
        var summary = EmotionSummary(labels: [])
        var plot = TimelinePlot(labels: [])
        var input: String?
        try TimelineReader.read(file: timeline) { head in
            summary = EmotionSummary(labels: head.labels)
            plot = TimelinePlot(labels: head.labels)
            input = head.input
        } row: { row in
            summary.add(row)
            plot.add(row)
        }
        self.timeline = timeline
        self.summary = summary
        self.plot = plot
        let stem = Self.stem(of: timeline)
        title = (stem as NSString).lastPathComponent
        media = Self.media(stem: stem, input: input, timeline: timeline)
    }

    /// `talk.emotions.json` → `talk` (with its folder).
    static func stem(of timeline: String) -> String {
        var stem = (timeline as NSString).deletingPathExtension
        if stem.hasSuffix(".emotions") { stem.removeLast(".emotions".count) }
        return stem
    }

    /// The overlay written beside the timeline, else the recorded input (as given, or relative to the
    /// timeline's folder), when the file exists.
    static func media(stem: String, input: String?, timeline: String) -> String? {
        var candidates = ["mp4", "mov", "mkv"].map { stem + ".overlay." + $0 }
        if let input, input != "-" {
            candidates.append(input)
            candidates.append(((timeline as NSString).deletingLastPathComponent as NSString).appendingPathComponent(input))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}

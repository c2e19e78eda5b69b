import FaceMood
import Foundation
import TimelineOutputs

/// BORIS: the dominant emotion as state events of the subject `face` (tab-separated: time, media, length,
/// FPS, subject, behaviour, category, comment, START/STOP), as BORIS's tabular event files have them; and,
/// beside it (`-data.csv`), the per-frame probabilities as BORIS's external data: a time column and one
/// column per label, face frames only, times strictly increasing.
final class BORISExporter: TimelineExporter {
    static let header = ["Time", "Media file path", "Total length", "FPS", "Subject", "Behavior", "Behavioral category", "Comment", "Status"]
    private let labels: [String]
    private let media: String?
    private var segments = SegmentBuilder()
    private var data: [String]
    private var lastDataTime = -Double.infinity
    private var frames = 0
    private var end = 0.0

    init(labels: [String], media: String?) {
        self.labels = labels
        self.media = media
        data = [(["time"] + labels).joined(separator: ",")]
    }

    func add(_ row: TimelineRow) throws {
        segments.add(time: row.time, duration: row.duration, emotion: row.emotion, confidence: row.confidence)
        frames += 1
        end = max(end, row.time + row.duration)
        if let probabilities = row.probabilities, row.time > lastDataTime {
            lastDataTime = row.time
            data.append(([ExportText.decimal(row.time)] + probabilities.map { ExportText.decimal($0) }).joined(separator: ","))
        }
    }

    func finish() throws -> [(suffix: String, text: String)] {
        let fps = end > 0 ? Double(frames) / end : 0
        let mediaPath = media ?? ""
        var lines = [Self.header.joined(separator: "\t")]
        for segment in segments.finish() {
            for (time, status) in [(segment.start, "START"), (segment.end, "STOP")] {
                lines.append([ExportText.decimal(time, places: 3), mediaPath, ExportText.decimal(end, places: 3), ExportText.decimal(fps, places: 2),
                              "face", segment.emotion, "emotion", "", status].joined(separator: "\t"))
            }
        }
        return [("", lines.joined(separator: "\n") + "\n"), ("-data.csv", data.joined(separator: "\n") + "\n")]
    }
}

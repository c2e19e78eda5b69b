import FaceMood
import Foundation
import TimelineOutputs

/// The summaries of many timelines and their total: the corpus table of `facemood summarize`.
public struct CorpusSummary {
    public var videos: [(timeline: String, summary: EmotionSummary)]
    /// Every video's frames together: shares of face time are weighted by each video's face time.
    public var total: EmotionSummary

    public var labels: [String] { total.labels }

    /// Reads every timeline (recomputing its summary from its rows, or from their smoothed values); all must
    /// have the same labels.
    public init(timelines: [String], smoothed: Bool = false) throws {
        guard let first = timelines.first else { throw CorpusError("summarize: expected timelines, found none") }
        var videos: [(String, EmotionSummary)] = []
        var total: EmotionSummary?
        for timeline in timelines {
            let summary = try TimelineReader.summary(ofFile: timeline, smoothed: smoothed)
            if let labels = total?.labels, labels != summary.labels {
                throw CorpusError("\(timeline): expected the labels of \(first) (\(labels.joined(separator: ","))), found \(summary.labels.joined(separator: ","))")
            }
            if total == nil { total = EmotionSummary(labels: summary.labels) }
            total?.add(summary)
            videos.append((timeline, summary))
        }
        self.videos = videos
        self.total = total!
    }

    public static func header(labels: [String]) -> [String] {
        ["row", "timeline", "frames", "duration_s", "face_ratio", "face_s", "dominant_emotion"] + labels.map { "share_" + $0 }
    }

    static func fields(row: String, timeline: String, _ summary: EmotionSummary) -> [String] {
        [row, timeline, String(summary.frames), CSV.decimal(summary.duration), CSV.decimal(summary.faceRatio),
         CSV.decimal(summary.faceSeconds), summary.dominantEmotion ?? ""]
            + summary.labels.indices.map { CSV.decimal(summary.shareOfFaceTime($0)) }
    }

    /// One row per video, then the total row.
    public func csvText() -> String {
        let rows = [Self.header(labels: labels)] + videos.map { Self.fields(row: "video", timeline: $0.timeline, $0.summary) }
            + [Self.fields(row: "total", timeline: "", total)]
        return rows.map { CSV.line($0) + "\n" }.joined()
    }
}

/// Finds the timelines `summarize` reads: named timeline files, the timelines under folders (a JSON timeline
/// where one exists, else the CSV beside it), and the outputs that manifests list for inputs done or skipped.
public enum TimelineDiscovery {
    public static func timelines(in arguments: [String]) throws -> [String] {
        var found: [String] = []
        for argument in arguments {
            if CorpusInputs.isFolder(argument) {
                found += try timelines(under: argument)
            } else if BatchManifest.isManifest(argument) {
                found += try timelines(inManifest: argument)
            } else {
                found.append(argument)
            }
        }
        return found
    }

    static func timelines(under folder: String) throws -> [String] {
        var stems: [String: (json: Bool, csv: Bool)] = [:]
        try CorpusInputs.walk(folder) { relative in
            let path = CorpusInputs.join(folder, relative)
            if relative.hasSuffix(".emotions.json") {
                stems[String(path.dropLast(".json".count)), default: (false, false)].json = true
            } else if relative.hasSuffix(".emotions.csv") {
                stems[String(path.dropLast(".csv".count)), default: (false, false)].csv = true
            }
        }
        return stems.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { $0 + (stems[$0]!.json ? ".json" : ".csv") }
    }

    static func timelines(inManifest path: String) throws -> [String] {
        let table = try BatchManifest.read(file: path)
        let folder = (path as NSString).deletingLastPathComponent
        return table.rows.compactMap { row -> String? in
            guard row[1] != BatchRecord.Status.failed.rawValue else { return nil }
            guard let timeline = [table.value("json", in: row), table.value("csv", in: row)].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
                return nil
            }
            return timeline.hasPrefix("/") || folder.isEmpty ? timeline : CorpusInputs.join(folder, timeline)
        }
    }
}

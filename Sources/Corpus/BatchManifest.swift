import FaceMood
import Foundation
import TimelineOutputs

/// What happened to one input of a batch.
public struct BatchRecord: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Analysed by this run.
        case done
        /// Its outputs were already complete for the same input and settings (`--skip-done`).
        case skipped
        case failed
    }

    public var input: String
    public var status: Status
    public var error: String?
    public var summary: ManifestSummary?
    public var outputs: AnalysisOutputs
    /// Wall-clock seconds this input took (checking, decoding, analysing, writing).
    public var seconds: Double

    public init(input: String, status: Status, error: String? = nil, summary: ManifestSummary? = nil, outputs: AnalysisOutputs,
                seconds: Double) {
        self.input = input
        self.status = status
        self.error = error
        self.summary = summary
        self.outputs = outputs
        self.seconds = seconds
    }
}

/// The record of a batch run (or of one shard of it): `facemood-batch.csv`, or `facemood-batch-I-of-N.csv`,
/// a row per input in list order. Output paths are relative to the manifest's folder when they are inside it,
/// so that manifests written on different machines into different folders compare equal.
public enum BatchManifest {
    public static let fixedColumns = ["input", "status", "error", "frames", "duration_s", "face_ratio", "face_s", "dominant_emotion"]
    public static let outputColumns = ["csv", "json", "overlay"]
    public static let secondsColumn = "seconds"

    /// `facemood-batch.csv`, or `facemood-batch-I-of-N.csv` for a shard.
    public static func fileName(shard: Shard?) -> String {
        shard.map { "facemood-batch-\($0.index)-of-\($0.count).csv" } ?? "facemood-batch.csv"
    }

    public static func header(labels: [String]) -> [String] {
        fixedColumns + labels.map { "share_" + $0 } + outputColumns + [secondsColumn]
    }

    /// The row's fields in `header` order.
    public static func fields(_ record: BatchRecord, labels: [String], folder: String?) -> [String] {
        let summary = record.summary
        var fields = [
            record.input, record.status.rawValue, record.error ?? "",
            summary.map { String($0.frames) } ?? "", summary.map { CSV.decimal($0.duration) } ?? "",
            summary.map { CSV.decimal($0.faceRatio) } ?? "", summary.map { CSV.decimal($0.faceSeconds) } ?? "",
            summary?.dominantEmotion ?? "",
        ]
        fields += labels.indices.map { index in summary.map { CSV.decimal($0.shares[index]) } ?? "" }
        fields += [record.outputs.csv, record.outputs.json, record.outputs.overlay].map { $0.map { relative($0, to: folder) } ?? "" }
        fields.append(String(format: "%.3f", record.seconds))
        return fields
    }

    /// The record as one JSON line (`--progress jsonl`): the manifest's columns as members, numbers as numbers.
    public static func jsonLine(_ record: BatchRecord, labels: [String]) -> String {
        let summary = record.summary
        func number(_ value: Double?) -> String { value.map(CSV.decimal) ?? "null" }
        var members: [(String, String)] = [
            ("input", JSONText.string(record.input)), ("status", JSONText.string(record.status.rawValue)),
            ("error", JSONText.optional(record.error.map(JSONText.string))),
            ("frames", JSONText.optional(summary.map { String($0.frames) })), ("duration_s", number(summary?.duration)),
            ("face_ratio", number(summary?.faceRatio)), ("face_s", number(summary?.faceSeconds)),
            ("dominant_emotion", JSONText.optional(summary?.dominantEmotion.map(JSONText.string))),
        ]
        members.append(("shares", summary.map { summary in
            JSONText.object(zip(labels, summary.shares).map { ($0, CSV.decimal($1)) })
        } ?? "null"))
        members += [("csv", record.outputs.csv), ("json", record.outputs.json), ("overlay", record.outputs.overlay)].map {
            ($0.0, JSONText.optional($0.1.map(JSONText.string)))
        }
        members.append(("seconds", String(format: "%.3f", record.seconds)))
        return JSONText.object(members)
    }

    static func relative(_ path: String, to folder: String?) -> String {
        guard let folder else { return path }
        let base = URL(fileURLWithPath: folder).standardizedFileURL.path
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : path
    }

    // MARK: - Reading and merging

    /// A manifest read back: its header and its rows' fields.
    public struct Table: Equatable {
        public var header: [String]
        public var rows: [[String]]

        /// The value of `column` in `row`, or nil when the manifest has no such column.
        public func value(_ column: String, in row: [String]) -> String? {
            header.firstIndex(of: column).map { row[$0] }
        }

        public var labels: [String] {
            header.filter { $0.hasPrefix("share_") }.map { String($0.dropFirst("share_".count)) }
        }

        public func text() -> String {
            ([header] + rows).map { CSV.line($0) + "\n" }.joined()
        }
    }

    /// Whether `path` names a manifest (by its name).
    public static func isManifest(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return name.hasPrefix("facemood-batch") && name.hasSuffix(".csv")
    }

    public static func read(file path: String) throws -> Table {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError("\(path): expected a batch manifest, found no readable file")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard let first = lines.first else { throw CorpusError("\(path): expected a batch manifest header, found an empty file") }
        let header = CSV.parse(line: String(first))
        guard Array(header.prefix(fixedColumns.count)) == fixedColumns, header.suffix(4) == (outputColumns + [secondsColumn])[...] else {
            throw CorpusError("\(path): expected the columns \(fixedColumns.joined(separator: ",")),share_<label>…,\((outputColumns + [secondsColumn]).joined(separator: ",")), found \(header.joined(separator: ","))")
        }
        var rows: [[String]] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = CSV.parse(line: String(line))
            guard fields.count == header.count, BatchRecord.Status(rawValue: fields[1]) != nil else {
                throw CorpusError("\(path): line \(offset + 2): expected \(header.count) fields with a status of done, skipped or failed, found '\(line)'")
            }
            rows.append(fields)
        }
        return Table(header: header, rows: rows)
    }

    /// Shard manifests as one, rows in list order (byte order of the inputs, as the batch sorts them).
    /// Refuses manifests with different columns and an input that appears twice.
    public static func merge(_ files: [String]) throws -> Table {
        var merged: Table?
        var origin: [String: String] = [:]
        for file in files {
            let table = try read(file: file)
            if let header = merged?.header, header != table.header {
                throw CorpusError("\(file): expected the columns of \(files[0]) (\(header.joined(separator: ","))), found \(table.header.joined(separator: ","))")
            }
            for row in table.rows {
                if let earlier = origin[row[0]] {
                    throw CorpusError("\(file): expected each input in one manifest, found \(row[0]) in \(earlier) too")
                }
                origin[row[0]] = file
            }
            merged = Table(header: table.header, rows: (merged?.rows ?? []) + table.rows)
        }
        guard var result = merged else { throw CorpusError("merge: expected at least one manifest, found none") }
        result.rows.sort { $0[0].utf8.lexicographicallyPrecedes($1[0].utf8) }
        return result
    }
}

import FaceMood
import Foundation

/// Reads a written timeline back (CSV or JSON, by extension): its labels and rows, and its summary.
public enum TimelineReader {
    /// The labels and rows of a timeline file.
    public static func read(file path: String) throws -> (labels: [String], rows: [TimelineRow]) {
        var rows: [TimelineRow] = []
        let labels = try read(file: path) { rows.append($0) }
        return (labels, rows)
    }

    /// The summary of a timeline file, recomputed from its rows as written; `smoothed` summarises its smoothed
    /// values (`--smooth`), which it must have.
    public static func summary(ofFile path: String, smoothed: Bool = false) throws -> EmotionSummary {
        // Every reader calls `headRead` before the first row.
        var summary = EmotionSummary(labels: [])
        _ = try read(file: path) { row in summary.add(row, smoothed: smoothed) } headRead: { head in
            summary = EmotionSummary(labels: head.labels)
            if smoothed { try head.requireSmoothed(path: path) }
        }
        return summary
    }

    /// Calls `head` once, then `row` for every row in order, without keeping the rows.
    public static func read(file path: String, head: (TimelineHead) throws -> Void, row: (TimelineRow) throws -> Void) throws {
        _ = try read(file: path, row: row, headRead: head)
    }

    /// Calls `headRead` once with the labels, then `row` for every row in order; returns the labels.
    static func read(file path: String, row: (TimelineRow) throws -> Void, headRead: (TimelineHead) throws -> Void = { _ in }) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TimelineError(path: path, message: "expected a timeline written by facemood analyze, found no readable file")
        }
        return try read(data: data, path: path, row: row, headRead: headRead)
    }

    /// The labels and rows of a timeline held in memory: JSON when `path` ends in `.json`, else CSV.
    public static func read(data: Data, path: String) throws -> (labels: [String], rows: [TimelineRow]) {
        var rows: [TimelineRow] = []
        let labels = try read(data: data, path: path, row: { rows.append($0) })
        return (labels, rows)
    }

    static func read(data: Data, path: String, row: (TimelineRow) throws -> Void, headRead: (TimelineHead) throws -> Void = { _ in }) throws -> [String] {
        if path.lowercased().hasSuffix(".json") {
            return try read(json: data, path: path, row: row, headRead: headRead)
        }
        return try read(csv: String(decoding: data, as: UTF8.self), path: path, row: row, headRead: headRead)
    }

    static func read(csv text: String, path: String, row emit: (TimelineRow) throws -> Void, headRead: (TimelineHead) throws -> Void) throws -> [String] {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).makeIterator()
        guard let headerLine = lines.next() else {
            throw TimelineError(path: path, message: "expected a CSV header, found an empty file")
        }
        let header = CSV.parse(line: String(headerLine))
        let fixed = CSVTimelineSink.fixedColumns
        guard header.count > fixed.count, Array(header.prefix(fixed.count)) == fixed else {
            throw TimelineError(path: path, message: "expected the columns \(fixed.joined(separator: ",")),<labels>, found \(header.joined(separator: ","))")
        }
        let smoothedStart = header.firstIndex(of: TimelineSmoothing.emotionColumn) ?? header.count
        let labels = Array(header[fixed.count..<smoothedStart])
        let smoothed = smoothedStart < header.count
        guard !labels.isEmpty, !smoothed || Array(header[smoothedStart...]) == TimelineSmoothing.columns(labels: labels) else {
            throw TimelineError(path: path, message: "expected the columns \(fixed.joined(separator: ",")),<labels>[,\(TimelineSmoothing.emotionColumn),smoothed_<label>...], found \(header.joined(separator: ","))")
        }
        try headRead(TimelineHead(labels: labels, smoothed: smoothed, input: nil))
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let fields = CSV.parse(line: String(line))
            func bad(_ what: String) -> TimelineError {
                TimelineError(path: path, message: "line \(lineNumber): expected \(what), found '\(line)'")
            }
            guard fields.count == header.count else { throw bad("\(header.count) fields") }
            guard let frame = Int(fields[0]), let time = Double(fields[1]), let duration = Double(fields[2]),
                  let faces = Int(fields[3]) else { throw bad("frame, time_s, duration_s and faces numbers") }
            var row = TimelineRow(frame: frame, time: time, duration: duration, faces: faces, box: nil, emotion: nil,
                                  confidence: nil, probabilities: nil)
            if !fields[8].isEmpty {
                guard let x = Int(fields[4]), let y = Int(fields[5]), let w = Int(fields[6]), let h = Int(fields[7]),
                      let confidence = Double(fields[9]) else { throw bad("a box and a confidence") }
                let probabilities = fields[fixed.count..<smoothedStart].compactMap(Double.init)
                guard probabilities.count == labels.count else { throw bad("\(labels.count) probabilities") }
                row.box = FaceBox(x: x, y: y, width: w, height: h)
                row.emotion = fields[8]
                row.confidence = confidence
                row.probabilities = probabilities
            }
            if smoothed && !fields[smoothedStart].isEmpty {
                let probabilities = fields[(smoothedStart + 1)...].compactMap(Double.init)
                guard probabilities.count == labels.count else { throw bad("\(labels.count) smoothed probabilities") }
                row.smoothed = SmoothedValues(emotion: fields[smoothedStart], probabilities: probabilities)
            }
            try emit(row)
        }
        return labels
    }

    static func read(json data: Data, path: String, row emit: (TimelineRow) throws -> Void, headRead: (TimelineHead) throws -> Void) throws -> [String] {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let model = document["model"] as? [String: Any], let labels = model["labels"] as? [String],
              let frames = document["frames"] as? [[String: Any]] else {
            throw TimelineError(path: path, message: "expected a JSON timeline with model.labels and frames, found other JSON or none")
        }
        try headRead(TimelineHead(labels: labels, smoothed: document["smoothing"] is [String: Any],
                                 input: (document["input"] as? [String: Any])?["path"] as? String))
        for (index, frame) in frames.enumerated() {
            guard let number = frame["frame"] as? Int, let time = (frame["time_s"] as? NSNumber)?.doubleValue,
                  let duration = (frame["duration_s"] as? NSNumber)?.doubleValue, let faces = frame["faces"] as? Int else {
                throw TimelineError(path: path, message: "frames[\(index)]: expected frame, time_s, duration_s and faces")
            }
            var row = TimelineRow(frame: number, time: time, duration: duration, faces: faces, box: nil, emotion: nil,
                                  confidence: nil, probabilities: nil)
            if let emotion = frame["emotion"] as? String {
                guard let box = frame["box"] as? [Int], box.count == 4, let confidence = (frame["confidence"] as? NSNumber)?.doubleValue,
                      let probs = frame["probs"] as? [String: Any] else {
                    throw TimelineError(path: path, message: "frames[\(index)]: expected box, confidence and probs with an emotion")
                }
                let probabilities = labels.compactMap { (probs[$0] as? NSNumber)?.doubleValue }
                guard probabilities.count == labels.count else {
                    throw TimelineError(path: path, message: "frames[\(index)]: expected a probability for each of \(labels.joined(separator: ", "))")
                }
                row.box = FaceBox(x: box[0], y: box[1], width: box[2], height: box[3])
                row.emotion = emotion
                row.confidence = confidence
                row.probabilities = probabilities
            }
            if let smoothed = frame["smoothed"] as? [String: Any] {
                guard let emotion = smoothed["emotion"] as? String, let probs = smoothed["probs"] as? [String: Any] else {
                    throw TimelineError(path: path, message: "frames[\(index)]: expected smoothed.emotion and smoothed.probs")
                }
                let probabilities = labels.compactMap { (probs[$0] as? NSNumber)?.doubleValue }
                guard probabilities.count == labels.count else {
                    throw TimelineError(path: path, message: "frames[\(index)]: expected a smoothed probability for each of \(labels.joined(separator: ", "))")
                }
                row.smoothed = SmoothedValues(emotion: emotion, probabilities: probabilities)
            }
            try emit(row)
        }
        return labels
    }
}

/// What a timeline says before its rows.
public struct TimelineHead: Sendable, Equatable {
    public var labels: [String]
    /// Whether its rows carry smoothed values (`--smooth`).
    public var smoothed: Bool
    /// The input's path as the analysis was given it (JSON timelines only).
    public var input: String?

    /// Refuses a timeline without smoothed values where they were asked for.
    public func requireSmoothed(path: String) throws {
        guard smoothed else {
            throw TimelineError(path: path, message: "expected smoothed values (a timeline written with analyze --smooth T), found none")
        }
    }
}

public struct TimelineError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
    public var errorDescription: String? { description }
}

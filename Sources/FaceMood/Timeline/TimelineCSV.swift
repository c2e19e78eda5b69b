/// The timeline as CSV: `frame,time_s,duration_s,faces,x,y,w,h,emotion,confidence,<labels…>`, one row per
/// decoded frame; box, emotion, confidence and probabilities empty without a face.
public struct TimelineCSV {
    public static let fixedColumns = ["frame", "time_s", "duration_s", "faces", "x", "y", "w", "h", "emotion", "confidence"]

    public static func header(labels: [String]) -> String {
        CSV.line(fixedColumns + labels)
    }

    public static func line(_ row: TimelineRow, labelCount: Int) -> String {
        var fields = [String(row.frame), CSV.decimal(row.time), CSV.decimal(row.duration), String(row.faces)]
        if let box = row.box, let emotion = row.emotion, let confidence = row.confidence, let probabilities = row.probabilities {
            fields += [String(box.x), String(box.y), String(box.width), String(box.height), CSV.field(emotion), CSV.decimal(confidence)]
            fields += probabilities.map { CSV.decimal($0) }
        } else {
            fields += [String](repeating: "", count: 6 + labelCount)
        }
        return fields.joined(separator: ",")
    }
}

/// Streams the CSV timeline into an `OutputFile`.
public final class TimelineCSVWriter {
    private let file: OutputFile
    private let labelCount: Int

    public init(file: OutputFile, labels: [String]) throws {
        self.file = file
        labelCount = labels.count
        try file.write(TimelineCSV.header(labels: labels) + "\n")
    }

    public func append(_ row: TimelineRow) throws {
        try file.write(TimelineCSV.line(row, labelCount: labelCount) + "\n")
    }

    public func commit() throws { try file.commit() }
}

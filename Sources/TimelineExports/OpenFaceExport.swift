import FaceMood
import Foundation
import TimelineOutputs

/// An OpenFace-style CSV (`FeatureExtraction`'s layout, comma and space separated): `frame` (from 1),
/// `face_id` (0), `timestamp`, `confidence` (1 with a face, 0 without: a Haar cascade gives no score),
/// `success`, then the face box (`face_x`, `face_y`, `face_width`, `face_height`), `emotion`,
/// `emotion_confidence` and one column per label.
final class OpenFaceExporter: TimelineExporter {
    private let labels: [String]
    private var lines: [String]

    init(labels: [String]) {
        self.labels = labels
        lines = [(["frame", "face_id", "timestamp", "confidence", "success", "face_x", "face_y", "face_width", "face_height", "emotion", "emotion_confidence"]
                  + labels).map(CSV.field).joined(separator: ", ")]
    }

    func add(_ row: TimelineRow) throws {
        var fields = [String(row.frame + 1), "0", ExportText.decimal(row.time, places: 3)]
        if let box = row.box, let emotion = row.emotion, let probabilities = row.probabilities {
            fields += ["1", "1", String(box.x), String(box.y), String(box.width), String(box.height), CSV.field(emotion),
                       ExportText.decimal(row.confidence ?? 0)] + probabilities.map { ExportText.decimal($0) }
        } else {
            fields += ["0", "0"] + [String](repeating: "", count: 6 + labels.count)
        }
        lines.append(fields.joined(separator: ", "))
    }

    func finish() throws -> [(suffix: String, text: String)] {
        [("", lines.joined(separator: "\n") + "\n")]
    }
}

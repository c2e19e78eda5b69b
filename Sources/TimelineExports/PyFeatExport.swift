import FaceMood
import Foundation
import TimelineOutputs

/// A py-feat Fex CSV, which `feat.utils.io.read_feat` loads by column name: the face box (`FaceRectX`,
/// `FaceRectY`, `FaceRectWidth`, `FaceRectHeight`), `FaceScore` (empty: a Haar cascade gives no score),
/// py-feat's seven emotions, `input`, `frame` and `approx_time` (`MM:SS`, as py-feat writes it). A frame
/// without a face has empty (NaN) face and emotion fields. The model's labels must map onto py-feat's
/// emotions one to one.
final class PyFeatExporter: TimelineExporter {
    static let emotions = ["anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"]
    /// facemood label (the fer model's and common synonyms) → py-feat emotion.
    static let names: [String: String] = [
        "angry": "anger", "anger": "anger", "disgust": "disgust", "disgusted": "disgust", "fear": "fear", "fearful": "fear",
        "happy": "happiness", "happiness": "happiness", "sad": "sadness", "sadness": "sadness", "surprise": "surprise",
        "surprised": "surprise", "neutral": "neutral",
    ]
    static let columns = ["FaceRectX", "FaceRectY", "FaceRectWidth", "FaceRectHeight", "FaceScore"] + emotions + ["input", "frame", "approx_time"]

    /// For each py-feat emotion, the index of the label giving it.
    private let order: [Int]
    private let input: String
    private var lines: [String]

    init(labels: [String], media: String?) throws {
        var found: [String: Int] = [:]
        for (index, label) in labels.enumerated() {
            guard let name = Self.names[label.lowercased()] else {
                throw ExportError("pyfeat: expected the model's labels to be py-feat's emotions (\(Self.emotions.joined(separator: ", "))), found '\(label)', which has no py-feat name")
            }
            if found[name] != nil {
                throw ExportError("pyfeat: expected one label per py-feat emotion, found two for '\(name)'")
            }
            found[name] = index
        }
        let missing = Self.emotions.filter { found[$0] == nil }
        guard missing.isEmpty else {
            throw ExportError("pyfeat: expected a label for each of py-feat's emotions, found none for \(missing.joined(separator: ", "))")
        }
        order = Self.emotions.map { found[$0]! }
        input = media ?? ""
        lines = [CSV.line(Self.columns)]
    }

    func add(_ row: TimelineRow) throws {
        var fields: [String]
        if let box = row.box, let probabilities = row.probabilities {
            fields = [String(box.x), String(box.y), String(box.width), String(box.height), ""] + order.map { ExportText.decimal(probabilities[$0]) }
        } else {
            fields = [String](repeating: "", count: 5 + Self.emotions.count)
        }
        let seconds = max(row.time, 0)
        fields += [input, String(row.frame), String(format: "%02d:%02d", Int(seconds / 60), Int(seconds.truncatingRemainder(dividingBy: 60)))]
        lines.append(CSV.line(fields))
    }

    func finish() throws -> [(suffix: String, text: String)] {
        [("", lines.joined(separator: "\n") + "\n")]
    }
}

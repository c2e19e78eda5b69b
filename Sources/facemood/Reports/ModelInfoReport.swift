import FaceMood
import KerasModel

/// `facemood model-info`: the layers, shapes, parameters, labels and preprocessing of a classifier.
struct ModelInfoReport {
    let model: KerasModel
    /// The classifier facemood would build from the model, or why it cannot.
    let classifier: Result<EmotionClassifier, Error>

    init(model: KerasModel, labels: [String]?, inputRange: ModelProfile.InputRange?) {
        self.model = model
        classifier = Result { try EmotionClassifier(model: model, labels: labels, inputRange: inputRange) }
    }

    func text() -> String {
        let rows = [("layer", "type", "output shape", "parameters")]
            + model.layers.map { ($0.name, $0.type, kerasShape($0.outputShape), "\($0.parameters)") }
        let widths = (
            rows.map(\.0.count).max() ?? 0, rows.map(\.1.count).max() ?? 0, rows.map(\.2.count).max() ?? 0
        )
        var lines = ["model: \(model.path)", "keras version: \(model.kerasVersion)", ""]
        for row in rows {
            lines.append(row.0.padding(toLength: widths.0, withPad: " ", startingAt: 0) + "  "
                + row.1.padding(toLength: widths.1, withPad: " ", startingAt: 0) + "  "
                + row.2.padding(toLength: widths.2, withPad: " ", startingAt: 0) + "  " + row.3)
        }
        lines += [
            "",
            "input shape: \(kerasShape(model.inputShape))",
            "output shape: \(kerasShape(model.outputShape))",
            "total parameters: \(model.parameterCount)",
        ]
        switch classifier {
        case let .success(classifier):
            let profile = classifier.profile
            lines += [
                "labels: \(profile.labels.joined(separator: ", "))",
                "preprocessing: gray, resized to \(classifier.inputWidth)x\(classifier.inputHeight) (bilinear), scaled to \(profile.inputRange.rawValue), face box margin \(profile.margin) px",
                "profile from: \(profile.source.rawValue)",
            ]
        case let .failure(error):
            lines.append("not usable as an emotion classifier: \(error)")
        }
        return lines.joined(separator: "\n")
    }
}

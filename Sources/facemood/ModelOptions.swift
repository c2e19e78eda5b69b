import ArgumentParser
import FaceMood

/// The flags that override a classifier's labels and preprocessing.
struct ProfileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Labels in model output order, comma-separated.", valueName: "a,b,c"))
    var labels: String?

    @Option(help: ArgumentHelp("Pixel range the model expects: [0,1] or [-1,1].", valueName: "range"))
    var inputRange: String?

    func validate() throws {
        if let inputRange, ModelProfile.InputRange(text: inputRange) == nil {
            throw ValidationError("--input-range expects [0,1] or [-1,1], found '\(inputRange)'")
        }
        if let labels, parsedLabels(labels).contains("") {
            throw ValidationError("--labels expects comma-separated names, found an empty name in '\(labels)'")
        }
    }

    var parsedLabels: [String]? { labels.map(parsedLabels) }
    var parsedInputRange: ModelProfile.InputRange? { inputRange.flatMap(ModelProfile.InputRange.init(text:)) }

    /// The classifier at `modelPath` (default: the bundled emotion model) with these overrides.
    func loadClassifier(modelPath: String?, margin: Int? = nil) throws -> EmotionClassifier {
        try EmotionClassifier(modelPath: modelPath ?? DefaultAssets.modelPath, labels: parsedLabels,
                              inputRange: parsedInputRange, margin: margin)
    }

    private func parsedLabels(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

import FaceMood
import TimelineOutputs

/// `facemood classify`: each image is taken as an already cropped face; one CSV row per image.
struct ImageClassificationReport {
    let classifier: EmotionClassifier
    private let session: EmotionClassifier.Session

    init(classifier: EmotionClassifier) {
        self.classifier = classifier
        session = EmotionClassifier.Session(classifier: classifier)
    }

    var header: String {
        CSV.line(["path", "emotion", "confidence"] + classifier.profile.labels)
    }

    /// The CSV row for one image, or the error that names the image and why it could not be read.
    func row(for path: String) throws -> String {
        let source = try FileFrameSource(path: path)
        defer { source.close() }
        guard let frame = try source.nextFrame() else {
            throw VideoError.noVideoStream(path: path, found: "no decodable picture")
        }
        let result = try session.classify(face: frame.gray)
        return CSV.line([path, result.label, CSV.decimal(result.confidence)] + result.probabilities.map { CSV.decimal($0) })
    }
}

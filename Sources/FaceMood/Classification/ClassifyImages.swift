/// `facemood classify`: each image is taken as an already cropped face; one CSV row per image.
public struct ImageClassificationReport {
    public let classifier: EmotionClassifier
    private let session: EmotionClassifier.Session

    public init(classifier: EmotionClassifier) {
        self.classifier = classifier
        session = EmotionClassifier.Session(classifier: classifier)
    }

    public var header: String {
        CSV.line(["path", "emotion", "confidence"] + classifier.profile.labels)
    }

    /// The CSV row for one image, or the error that names the image and why it could not be read.
    public func row(for path: String) throws -> String {
        let reader = try VideoReader(path: path)
        guard let frame = try reader.nextFrame() else {
            throw VideoError.noVideoStream(path: path, found: "no decodable picture")
        }
        let result = session.classify(face: frame.gray)
        return CSV.line([path, result.label, CSV.decimal(result.confidence)] + result.probabilities.map { CSV.decimal($0) })
    }
}

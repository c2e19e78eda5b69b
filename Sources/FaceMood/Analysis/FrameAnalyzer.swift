/// Detects, crops and classifies one frame at a time: the largest face (by w×h, the first on a tie),
/// cropped as the model's profile says, classified. Owns per-thread working memory.
public final class FrameAnalyzer {
    public let classifier: EmotionClassifier
    public let parameters: HaarDetector.Parameters
    private let detector: HaarDetector
    private let session: EmotionClassifier.Session

    public init(classifier: EmotionClassifier, cascade: HaarCascade, parameters: HaarDetector.Parameters) {
        self.classifier = classifier
        self.parameters = parameters
        detector = HaarDetector(cascade: cascade)
        session = EmotionClassifier.Session(classifier: classifier)
    }

    public func analyze(_ frame: VideoFrame) -> TimelineRow {
        let faces = detector.detect(frame.gray, parameters: parameters)
        guard let largest = Self.largest(of: faces) else {
            return TimelineRow(frame: frame, faces: 0, box: nil, classification: nil)
        }
        let crop = FaceCrop(box: largest, margin: classifier.profile.margin).cut(from: frame.gray)
        return TimelineRow(frame: frame, faces: faces.count, box: largest, classification: session.classify(face: crop))
    }

    /// Largest area; on a tie the first in the detector's order (which lists larger boxes first, then by position).
    static func largest(of faces: [FaceBox]) -> FaceBox? {
        var best: FaceBox?
        for face in faces where best == nil || face.area > best!.area { best = face }
        return best
    }
}

import Foundation
import Imaging
import VideoIO

/// Detects, crops and classifies one frame at a time on one thread: the largest face (by w×h, the first
/// on a tie), cropped as the model's profile says, classified. Owns the thread's working memory.
final class FrameAnalyzer {
    private let detector: any FaceDetectorSession
    private let classifier: EmotionClassifier.Session?
    private let alignsFaces: Bool
    /// The face analysed in the previous frame of the current segment.
    private var previous: FaceBox?
    var clock: StageClock?

    init(detector: any FaceDetectorSession, classifier: EmotionClassifier.Session?, alignsFaces: Bool = false) {
        self.detector = detector
        self.classifier = classifier
        self.alignsFaces = alignsFaces
    }

    /// Forgets the previous face: the next frame is searched as the first of a segment.
    func startSegment() {
        previous = nil
    }

    func analyze(_ frame: VideoFrame) throws -> FrameResult {
        let faces = try clock.measure(.detect) { try detector.detect(in: frame, previousFace: previous) }
        // Detectors return faces largest first.
        let largest = faces.first
        previous = largest?.box
        var face: AnalyzedFace?
        if let largest, let classifier {
            let classification = try clock.measure(.classify) {
                let crop = FaceCrop(box: largest.cropBox, margin: classifier.classifier.profile.margin)
                if alignsFaces, let eyes = largest.eyes {
                    return try classifier.classify(face: crop.cut(from: frame.gray, turnedBy: eyes.angle))
                }
                return try classifier.classify(face: crop.cut(from: frame.gray))
            }
            face = AnalyzedFace(box: largest.box, classification: classification, keypoints: largest.keypoints, score: largest.score)
        }
        return FrameResult(frame: frame.index, time: frame.time, duration: frame.duration, detections: faces, face: face)
    }
}

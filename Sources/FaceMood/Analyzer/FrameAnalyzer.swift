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

    /// Whether a frame's largest face is classified (false when the analysis only detects).
    var classifies: Bool { classifier != nil }

    func analyze(_ frame: VideoFrame) throws -> FrameResult {
        let faces = try detect(frame)
        return FrameResult(frame: frame, detections: faces, face: try faces.first.flatMap { try classify($0, in: frame) })
    }

    /// The frame's faces, largest first (detectors return them so); the largest is where the next frame's search starts.
    func detect(_ frame: VideoFrame) throws -> [DetectedFace] {
        let faces = try clock.measure(.detect) { try detector.detect(in: frame, previousFace: previous) }
        previous = faces.first?.box
        return faces
    }

    /// `face` cropped from `frame` and classified; nil when the analysis only detects. Depends on nothing but its
    /// arguments, so any thread's analyzer may classify a face another one detected, with the same result.
    func classify(_ face: DetectedFace, in frame: VideoFrame) throws -> AnalyzedFace? {
        guard let classifier else { return nil }
        let classification = try clock.measure(.classify) {
            let crop = FaceCrop(box: face.cropBox, margin: classifier.classifier.profile.margin)
            if alignsFaces, let eyes = face.eyes {
                return try classifier.classify(face: crop.cut(from: frame.gray, turnedBy: eyes.angle))
            }
            return try classifier.classify(face: crop.cut(from: frame.gray))
        }
        return AnalyzedFace(box: face.box, classification: classification, keypoints: face.keypoints, score: face.score)
    }
}

/// Frame analyzers kept between analyses by one `EmotionAnalyzer`. Each holds a thread's working memory (the
/// detector's buffers, compiled cascade and resize tables, the models' activations), which a fresh one sets up again
/// on its first frames: about 1.5 ms a thread, a few percent of a short file's analysis, paid for every file of a
/// corpus. At most `capacity` are kept; analyses running at once take more and the surplus is freed.
final class FrameAnalyzerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [FrameAnalyzer] = []
    private let capacity: Int
    private let make: () -> FrameAnalyzer

    init(capacity: Int, make: @escaping () -> FrameAnalyzer) {
        self.capacity = capacity
        self.make = make
    }

    func take() -> FrameAnalyzer {
        lock.withLock { idle.popLast() } ?? make()
    }

    /// Takes back an analyzer that no thread uses any more; it comes out again as a fresh one would, without a previous
    /// face or a clock.
    func giveBack(_ analyzer: FrameAnalyzer) {
        analyzer.clock = nil
        analyzer.startSegment()
        lock.withLock {
            if idle.count < capacity { idle.append(analyzer) }
        }
    }
}

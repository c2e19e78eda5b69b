import Imaging
import VideoIO

/// What the analysis found in one frame, at full precision (rounding belongs to the text outputs).
public struct FrameResult: Sendable, Equatable {
    /// Position in the source, from 0.
    public let frame: Int
    /// Seconds on the source's clock (for files: the presentation time minus the file's start time).
    public let time: Double
    /// Seconds until the next frame.
    public let duration: Double
    /// Every face the detector reported, largest first, with its keypoints and score when the detector gives them.
    public let detections: [DetectedFace]
    /// The largest face and its emotion; nil when there is no face (or the analysis only detects).
    public let face: AnalyzedFace?

    /// Every face's box, largest first.
    public var faces: [FaceBox] { detections.map(\.box) }

    public init(frame: Int, time: Double, duration: Double, detections: [DetectedFace], face: AnalyzedFace?) {
        self.frame = frame
        self.time = time
        self.duration = duration
        self.detections = detections
        self.face = face
    }

    init(frame: VideoFrame, detections: [DetectedFace], face: AnalyzedFace?) {
        self.init(frame: frame.index, time: frame.time, duration: frame.duration, detections: detections, face: face)
    }

    public init(frame: Int, time: Double, duration: Double, faces: [FaceBox], face: AnalyzedFace?) {
        self.init(frame: frame, time: time, duration: duration, detections: faces.map { DetectedFace(box: $0) }, face: face)
    }
}

/// The analysed face of a frame: its box in display pixels, its keypoints and score when the detector gives
/// them, and its classification.
public struct AnalyzedFace: Sendable, Equatable {
    public let box: FaceBox
    public let classification: Classification
    public let keypoints: [FacePoint]
    public let score: Double?

    public init(box: FaceBox, classification: Classification, keypoints: [FacePoint] = [], score: Double? = nil) {
        self.box = box
        self.classification = classification
        self.keypoints = keypoints
        self.score = score
    }

    /// The most probable label.
    public var emotion: String { classification.label }
    /// Its probability.
    public var confidence: Float { classification.confidence }
    /// One probability per label, in the model's order.
    public var probabilities: [Float] { classification.probabilities }
}

import Imaging

/// What the analysis found in one frame, at full precision (rounding belongs to the text outputs).
public struct FrameResult: Sendable, Equatable {
    /// Position in the source, from 0.
    public let frame: Int
    /// Seconds on the source's clock (for files: the presentation time minus the file's start time).
    public let time: Double
    /// Seconds until the next frame.
    public let duration: Double
    /// Every face the detector reported, largest first.
    public let faces: [FaceBox]
    /// The largest face and its emotion; nil when there is no face (or the analysis only detects).
    public let face: AnalyzedFace?

    public init(frame: Int, time: Double, duration: Double, faces: [FaceBox], face: AnalyzedFace?) {
        self.frame = frame
        self.time = time
        self.duration = duration
        self.faces = faces
        self.face = face
    }
}

/// The analysed face of a frame: its box in display pixels and its classification.
public struct AnalyzedFace: Sendable, Equatable {
    public let box: FaceBox
    public let classification: Classification

    public init(box: FaceBox, classification: Classification) {
        self.box = box
        self.classification = classification
    }

    /// The most probable label.
    public var emotion: String { classification.label }
    /// Its probability.
    public var confidence: Float { classification.confidence }
    /// One probability per label, in the model's order.
    public var probabilities: [Float] { classification.probabilities }
}

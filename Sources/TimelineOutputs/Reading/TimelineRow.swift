import FaceMood

/// One frame of a timeline as written to (and read back from) a CSV or JSON file: six-decimal values.
public struct TimelineRow: Sendable, Equatable {
    public var frame: Int
    public var time: Double
    public var duration: Double
    /// Number of faces the detector found.
    public var faces: Int
    /// The analysed (largest) face, or nil without a face.
    public var box: FaceBox?
    public var emotion: String?
    public var confidence: Double?
    /// One per label, model order; nil without a face.
    public var probabilities: [Double]?
    /// The smoothed values (`--smooth`), nil when the timeline has none or no face lies in the row's window.
    public var smoothed: SmoothedValues?

    public init(frame: Int, time: Double, duration: Double, faces: Int, box: FaceBox?, emotion: String?,
                confidence: Double?, probabilities: [Double]?, smoothed: SmoothedValues? = nil) {
        self.smoothed = smoothed
        self.frame = frame
        self.time = time
        self.duration = duration
        self.faces = faces
        self.box = box
        self.emotion = emotion
        self.confidence = confidence
        self.probabilities = probabilities
    }

    /// The row a text timeline writes for `result`.
    public init(_ result: FrameResult) {
        self.init(frame: result.frame, time: TimelinePrecision.written(result.time), duration: TimelinePrecision.written(result.duration),
                  faces: result.faces.count, box: result.face?.box, emotion: result.face?.emotion,
                  confidence: result.face.map { TimelinePrecision.written(Double($0.confidence)) },
                  probabilities: result.face?.probabilities.map { TimelinePrecision.written(Double($0)) })
    }
}

extension EmotionSummary {
    /// Adds a row read back from a timeline; `smoothed` takes its smoothed values instead of its raw ones.
    public mutating func add(_ row: TimelineRow, smoothed: Bool = false) {
        if smoothed {
            add(duration: row.duration, emotion: row.smoothed?.emotion, probabilities: row.smoothed?.probabilities)
        } else {
            add(duration: row.duration, emotion: row.emotion, probabilities: row.probabilities)
        }
    }
}

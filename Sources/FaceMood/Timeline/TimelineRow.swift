import Foundation

/// One frame of the emotion timeline. Times and probabilities hold exactly the values written to the
/// files (six decimals), so a summary recomputed from the files equals the one made during analysis.
public struct TimelineRow: Sendable, Equatable {
    public var frame: Int
    public var time: Double
    public var duration: Double
    /// Number of faces the detector found.
    public var faces: Int
    /// The analysed face (the largest), or nil without a face.
    public var box: FaceBox?
    public var emotion: String?
    public var confidence: Double?
    /// One per label, model order; nil without a face.
    public var probabilities: [Double]?

    public init(frame: Int, time: Double, duration: Double, faces: Int, box: FaceBox?, emotion: String?,
                confidence: Double?, probabilities: [Double]?) {
        self.frame = frame
        self.time = time
        self.duration = duration
        self.faces = faces
        self.box = box
        self.emotion = emotion
        self.confidence = confidence
        self.probabilities = probabilities
    }

    /// A row from an analysed frame, numbers rounded to what the files will hold.
    public init(frame: VideoFrame, faces: Int, box: FaceBox?, classification: Classification?) {
        self.init(frame: frame.index, time: Self.written(frame.time), duration: Self.written(frame.duration), faces: faces,
                  box: box, emotion: classification?.label,
                  confidence: classification.map { Self.written(Double($0.confidence)) },
                  probabilities: classification?.probabilities.map { Self.written(Double($0)) })
    }

    /// The value a six-decimal text of `value` reads back as.
    public static func written(_ value: Double) -> Double {
        Double(CSV.decimal(value)) ?? value
    }
}

import Foundation

/// The emotion distribution of a timeline, by time as well as by frame count.
///
/// Definitions (every duration is the sum of the rows' `duration_s`):
/// - `face_ratio`: frames with a face / frames;
/// - per label: `dominant_frames` and `dominant_seconds` where it is the frame's emotion,
///   `share_of_face_time` = dominant_seconds / face_seconds, `mean_probability` over face frames,
///   `longest_run_s`: the longest stretch of consecutive frames with that emotion (a frame without a face
///   ends a stretch);
/// - `dominant_emotion`: the label with the most dominant_seconds (the first in model order on a tie),
///   null without faces;
/// - `label_changes`: how often the emotion differs from that of the previous frame with a face.
public struct EmotionSummary: Sendable, Equatable {
    public let labels: [String]
    public private(set) var frames = 0
    public private(set) var framesWithFace = 0
    public private(set) var duration = 0.0
    public private(set) var faceSeconds = 0.0
    public private(set) var dominantFrames: [Int]
    public private(set) var dominantSeconds: [Double]
    public private(set) var probabilitySums: [Double]
    public private(set) var longestRuns: [Double]
    public private(set) var labelChanges = 0
    /// Frames of a live source dropped to keep up with it: not among `frames`, and not recomputable from the
    /// rows (the JSON timeline records them under `decoding`).
    public var framesDropped = 0
    private var runLabel: Int?
    private var runSeconds = 0.0
    private var previousFaceLabel: Int?

    public init(labels: [String]) {
        self.labels = labels
        dominantFrames = Array(repeating: 0, count: labels.count)
        dominantSeconds = Array(repeating: 0, count: labels.count)
        probabilitySums = Array(repeating: 0, count: labels.count)
        longestRuns = Array(repeating: 0, count: labels.count)
    }

    /// Adds a frame as the text timelines write it (times and probabilities rounded to six decimals), so the
    /// summary recomputed from a written file equals this one.
    public mutating func add(_ result: FrameResult) {
        add(duration: TimelinePrecision.written(result.duration), emotion: result.face?.emotion,
            probabilities: result.face?.probabilities.map { TimelinePrecision.written(Double($0)) })
    }

    /// Adds one frame: `emotion` and `probabilities` (model order) are nil for a frame without a face.
    public mutating func add(duration: Double, emotion: String?, probabilities: [Double]?) {
        frames += 1
        self.duration += duration
        guard let emotion, let label = labels.firstIndex(of: emotion), let probabilities else {
            runLabel = nil
            return
        }
        framesWithFace += 1
        faceSeconds += duration
        dominantFrames[label] += 1
        dominantSeconds[label] += duration
        for (index, probability) in probabilities.enumerated() where index < labels.count {
            probabilitySums[index] += probability
        }
        runSeconds = runLabel == label ? runSeconds + duration : duration
        runLabel = label
        longestRuns[label] = max(longestRuns[label], runSeconds)
        if let previous = previousFaceLabel, previous != label { labelChanges += 1 }
        previousFaceLabel = label
    }

    /// Adds another timeline's totals, as if its frames followed this one's after a frame without a face:
    /// counts, seconds and probability sums add up, longest runs are the longer of the two.
    public mutating func add(_ other: EmotionSummary) {
        precondition(other.labels == labels, "summaries with different labels cannot be added")
        frames += other.frames
        framesWithFace += other.framesWithFace
        duration += other.duration
        faceSeconds += other.faceSeconds
        labelChanges += other.labelChanges
        framesDropped += other.framesDropped
        for index in labels.indices {
            dominantFrames[index] += other.dominantFrames[index]
            dominantSeconds[index] += other.dominantSeconds[index]
            probabilitySums[index] += other.probabilitySums[index]
            longestRuns[index] = max(longestRuns[index], other.longestRuns[index])
        }
        runLabel = nil
        previousFaceLabel = nil
    }

    public var faceRatio: Double { frames > 0 ? Double(framesWithFace) / Double(frames) : 0 }

    public func shareOfFaceTime(_ label: Int) -> Double { faceSeconds > 0 ? dominantSeconds[label] / faceSeconds : 0 }

    public func meanProbability(_ label: Int) -> Double { framesWithFace > 0 ? probabilitySums[label] / Double(framesWithFace) : 0 }

    public var dominantEmotion: String? {
        guard framesWithFace > 0 else { return nil }
        var best = 0
        for index in labels.indices where dominantSeconds[index] > dominantSeconds[best] { best = index }
        return labels[best]
    }
}

/// The precision of every time and probability the text outputs write.
public enum TimelinePrecision {
    /// Six decimals.
    public static func text(_ value: Double) -> String { String(format: "%.6f", value) }

    /// The value the six-decimal text of `value` reads back as.
    public static func written(_ value: Double) -> Double { Double(text(value)) ?? value }
}

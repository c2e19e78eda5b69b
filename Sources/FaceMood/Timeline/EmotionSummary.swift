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

    public mutating func add(_ row: TimelineRow) {
        frames += 1
        duration += row.duration
        guard let emotion = row.emotion, let label = labels.firstIndex(of: emotion), let probabilities = row.probabilities else {
            runLabel = nil
            return
        }
        framesWithFace += 1
        faceSeconds += row.duration
        dominantFrames[label] += 1
        dominantSeconds[label] += row.duration
        for (index, probability) in probabilities.enumerated() where index < labels.count {
            probabilitySums[index] += probability
        }
        runSeconds = runLabel == label ? runSeconds + row.duration : row.duration
        runLabel = label
        longestRuns[label] = max(longestRuns[label], runSeconds)
        if let previous = previousFaceLabel, previous != label { labelChanges += 1 }
        previousFaceLabel = label
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

    public func json() -> String {
        let emotions = labels.indices.map { index in
            (labels[index], JSONText.object([
                ("dominant_frames", String(dominantFrames[index])),
                ("dominant_seconds", CSV.decimal(dominantSeconds[index])),
                ("share_of_face_time", CSV.decimal(shareOfFaceTime(index))),
                ("mean_probability", CSV.decimal(meanProbability(index))),
                ("longest_run_s", CSV.decimal(longestRuns[index])),
            ]))
        }
        return JSONText.object([
            ("frames", String(frames)),
            ("frames_with_face", String(framesWithFace)),
            ("face_ratio", CSV.decimal(faceRatio)),
            ("duration_s", CSV.decimal(duration)),
            ("face_seconds", CSV.decimal(faceSeconds)),
            ("dominant_emotion", JSONText.optional(dominantEmotion.map(JSONText.string))),
            ("label_changes", String(labelChanges)),
            ("emotions", JSONText.object(emotions)),
        ])
    }

    /// The table `analyze` and `summarize` print.
    public func table(title: String) -> String {
        var lines = [title,
                     String(format: "  %d frames, %.3f s; a face in %d frames (%.1f%%, %.3f s)", frames, duration, framesWithFace,
                            faceRatio * 100, faceSeconds)]
        guard framesWithFace > 0 else {
            lines.append("  no face was found")
            return lines.joined(separator: "\n")
        }
        let width = max(7, labels.map(\.count).max() ?? 0)
        lines.append("  " + "emotion".padding(toLength: width, withPad: " ", startingAt: 0)
            + "   frames    seconds  of face time  mean prob  longest run")
        for index in labels.indices {
            lines.append("  " + labels[index].padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %7d  %9.3f  %11.1f%%  %9.4f  %9.3f s", dominantFrames[index], dominantSeconds[index],
                         shareOfFaceTime(index) * 100, meanProbability(index), longestRuns[index]))
        }
        lines.append("  dominant: \(dominantEmotion ?? "none") (\(String(format: "%.3f", dominantSeconds[labels.firstIndex(of: dominantEmotion ?? "") ?? 0])) s); \(labelChanges) label change\(labelChanges == 1 ? "" : "s")")
        return lines.joined(separator: "\n")
    }
}

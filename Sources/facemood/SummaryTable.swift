import FaceMood
import Foundation

extension EmotionSummary {
    /// The table `analyze` and `summarize` print.
    func table(title: String) -> String {
        var lines = [title,
                     String(format: "  %d frames, %.3f s; a face in %d frames (%.1f%%, %.3f s)", frames, duration, framesWithFace,
                            faceRatio * 100, faceSeconds)]
        if framesDropped > 0 {
            lines.append("  \(framesDropped) live frame\(framesDropped == 1 ? "" : "s") dropped to keep up (the newest frame is analysed whenever the analysis is free)")
        }
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

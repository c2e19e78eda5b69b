import FaceMood

/// `--smooth T`: a centred moving average over time, kept beside the raw values.
///
/// For a row at time t, the smoothed probabilities are the mean of the probabilities of the rows with a face
/// whose time lies in [t − T/2, t + T/2], each weighted by its duration (so a variable frame rate counts by
/// time, not by frames), computed from the values as the timelines write them (six decimals). The smoothed
/// emotion is the most probable label (the first in model order on a tie). A row with no face row in its
/// window has none: a stretch without a face shorter than T is bridged, a longer one is not, beyond T/2 from
/// its ends.
public struct TimelineSmoothing: Sendable, Equatable {
    /// The window's width T in seconds.
    public var window: Double

    public init(window: Double) {
        self.window = window
    }

    /// Windows outside this range are refused: shorter than a frame at 1000 fps, longer than ten minutes.
    public static let windowRange = 0.001...600.0

    /// The rule in words, for the JSON timeline.
    public static let rule = "for each row at time t, the duration-weighted mean of the probabilities of the rows with a face within [t - T/2, t + T/2]; the smoothed emotion is its most probable label; null without a face row in the window"

    /// The CSV columns after the labels: the smoothed emotion, then one smoothed probability per label.
    public static func columns(labels: [String]) -> [String] {
        [emotionColumn] + labels.map { columnPrefix + $0 }
    }

    public static let emotionColumn = "smoothed_emotion"
    public static let columnPrefix = "smoothed_"
}

/// A row's smoothed values.
public struct SmoothedValues: Sendable, Equatable {
    public var emotion: String
    /// One per label, model order.
    public var probabilities: [Double]

    public init(emotion: String, probabilities: [Double]) {
        self.emotion = emotion
        self.probabilities = probabilities
    }
}

/// Computes `TimelineSmoothing` on a stream of rows: each row comes out once every row within T/2 after it
/// has gone in (or at the end), so a sink writes it late by T/2 and holds no more rows than that window.
final class SmoothingWindow<Payload> {
    private struct Entry {
        let time: Double
        let duration: Double
        let probabilities: [Double]?
        let payload: Payload
    }

    /// T/2, widened by a nanosecond: written times are on a microsecond grid, and two of them exactly T/2
    /// apart must count as within the window whatever the sum's rounding.
    private let half: Double
    private let labels: [String]
    /// Rows from T/2 before the next row to come out onwards.
    private var entries: [Entry] = []
    private var start = 0
    private var next = 0

    init(smoothing: TimelineSmoothing, labels: [String]) {
        half = smoothing.window / 2 + 1e-9
        self.labels = labels
    }

    /// Adds a row (with its values as written); returns the rows whose windows are now complete, in order.
    func add(time: Double, duration: Double, probabilities: [Double]?, payload: Payload) -> [(Payload, SmoothedValues?)] {
        entries.append(Entry(time: TimelinePrecision.written(time), duration: TimelinePrecision.written(duration),
                             probabilities: probabilities.map { $0.map(TimelinePrecision.written) }, payload: payload))
        let newest = entries[entries.count - 1].time
        var ready: [(Payload, SmoothedValues?)] = []
        while next < entries.count && entries[next].time + half < newest {
            ready.append(emit())
        }
        return ready
    }

    /// The rows still waiting, at the end of the timeline.
    func finish() -> [(Payload, SmoothedValues?)] {
        var ready: [(Payload, SmoothedValues?)] = []
        while next < entries.count { ready.append(emit()) }
        return ready
    }

    private func emit() -> (Payload, SmoothedValues?) {
        let center = entries[next].time
        while entries[start].time < center - half { start += 1 }
        var sums = [Double](repeating: 0, count: labels.count)
        var weight = 0.0
        var index = start
        while index < entries.count && entries[index].time <= center + half {
            if let probabilities = entries[index].probabilities {
                // A zero-length row (a still image) still counts, as one frame would.
                let rowWeight = max(entries[index].duration, 1e-9)
                for label in probabilities.indices where label < sums.count { sums[label] += probabilities[label] * rowWeight }
                weight += rowWeight
            }
            index += 1
        }
        let payload = entries[next].payload
        next += 1
        // Forget what no later window can reach, now and then, so the array stays the window's size.
        if start > 1024 && start > entries.count / 2 {
            entries.removeFirst(start)
            next -= start
            start = 0
        }
        guard weight > 0 else { return (payload, nil) }
        let means = sums.map { $0 / weight }
        var best = 0
        for label in means.indices where means[label] > means[best] { best = label }
        return (payload, SmoothedValues(emotion: labels[best], probabilities: means))
    }
}

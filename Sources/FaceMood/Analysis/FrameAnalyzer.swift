/// How faces are searched for.
public enum SearchMode: Sendable, Equatable {
    /// Full-frame detection on every frame: the same boxes as OpenCV on every frame.
    case exact
    /// After a face is found, the next frames search only near it (`TrackingWindow`); a frame-wide detection
    /// runs every `fullDetectionEvery` and whenever that search finds nothing, scanning sizes from the
    /// largest down to 0.6 times the largest face it meets.
    case tracking(fullDetectionEvery: DetectionInterval)

    /// The default: a full detection every 10 frames (a third of a second at 30 fps); see the README's
    /// performance section for the measurements behind it.
    public static let standard = SearchMode.tracking(fullDetectionEvery: .frames(10))

    /// Frames handed to one worker at a time. A tracking segment starts with a full detection, so it does not
    /// depend on the frames before it; exact-mode frames are independent anyway, and are handed out four at
    /// a time so that workers rarely wait on each other.
    func segmentLength(framesPerSecond: Double?) -> Int {
        switch self {
        case .exact: return 4
        case let .tracking(every): return every.frames(framesPerSecond: framesPerSecond)
        }
    }
}

/// The spacing of the default mode's frame-wide detections.
public enum DetectionInterval: Sendable, Equatable {
    case frames(Int)
    case seconds(Double)

    /// Seconds become the nearest whole number of frames at the stream's average rate (30 frames per second
    /// when the stream does not say), at least one.
    func frames(framesPerSecond: Double?) -> Int {
        switch self {
        case let .frames(count): return max(count, 1)
        case let .seconds(duration):
            let rate = framesPerSecond.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 30
            return max(Int((duration * rate).rounded()), 1)
        }
    }

    /// "10" (frames) or "0.5s" (seconds); nil for anything else, zero or negative.
    public init?(argument: String) {
        if argument.hasSuffix("s") {
            guard let duration = Double(argument.dropLast()), duration > 0, duration.isFinite else { return nil }
            self = .seconds(duration)
        } else {
            guard let count = Int(argument), count >= 1 else { return nil }
            self = .frames(count)
        }
    }
}

/// Detects, crops and classifies one frame at a time: the largest face (by w×h, the first on a tie),
/// cropped as the model's profile says, classified. Owns per-thread working memory.
public final class FrameAnalyzer {
    public let classifier: EmotionClassifier
    public let parameters: HaarDetector.Parameters
    public let mode: SearchMode
    private let detector: HaarDetector
    private let session: EmotionClassifier.Session
    /// The face found in the previous frame of the current segment.
    private var previous: FaceBox?

    public init(classifier: EmotionClassifier, cascade: HaarCascade, parameters: HaarDetector.Parameters, mode: SearchMode = .exact) {
        self.classifier = classifier
        self.parameters = parameters
        self.mode = mode
        detector = HaarDetector(cascade: cascade)
        session = EmotionClassifier.Session(classifier: classifier)
    }

    /// Forgets the previous face: the next frame gets a full-frame detection.
    public func startSegment() {
        previous = nil
    }

    /// Measures detection and classification when set.
    public var clock: StageClock?

    public func analyze(_ frame: VideoFrame) -> TimelineRow {
        let faces = clock.measure(.detect) { findFaces(in: frame.gray) }
        guard let largest = Self.largest(of: faces) else {
            previous = nil
            return TimelineRow(frame: frame, faces: 0, box: nil, classification: nil)
        }
        previous = largest
        let classification = clock.measure(.classify) {
            session.classify(face: FaceCrop(box: largest, margin: classifier.profile.margin).cut(from: frame.gray))
        }
        return TimelineRow(frame: frame, faces: faces.count, box: largest, classification: classification)
    }

    private func findFaces(in gray: GrayImage) -> [FaceBox] {
        guard case .tracking = mode else { return detector.detect(gray, parameters: parameters) }
        if let previous {
            let found = TrackingWindow(around: previous, parameters: parameters).detect(with: detector, in: gray)
            if !found.isEmpty { return found }
        }
        // Only the largest face is analysed, so sizes well below it need no scan.
        return detector.detect(gray, parameters: parameters, sizeFloor: TrackingWindow.smallest)
    }

    /// Largest area; on a tie the first in the detector's order (which lists larger boxes first, then by position).
    static func largest(of faces: [FaceBox]) -> FaceBox? {
        var best: FaceBox?
        for face in faces where best == nil || face.area > best!.area { best = face }
        return best
    }
}

/// The search after a face was found: windows from 0.6 to 1.6 times the previous face's size whose centre
/// lies within 0.2 of its size from the previous face's centre, on the pyramid levels and window grid of a
/// full detection. On the sample videos, the candidate windows that OpenCV's grouping averages into a face
/// span 0.56–1.5 times that face's width with centres mostly within 0.16 of it, and a face moves less than
/// 0.04 of its size between frames: the search meets the face's cluster, so its box is normally the full
/// detection's (on 532 of the 544 frames of the two 640×360 samples). Narrower size ranges change the box
/// slightly, and on WolfgangLanger_Pexels.mp4 such small changes flip the emotion on 3–5% of frames.
struct TrackingWindow {
    static let smallest = 0.6
    static let largest = 1.6
    static let centreReach = 0.2

    let parameters: HaarDetector.Parameters
    /// Where window centres may lie.
    let centres: FaceBox

    init(around box: FaceBox, parameters: HaarDetector.Parameters) {
        let size = Double(max(box.width, box.height))
        let reach = Int((size * Self.centreReach).rounded(.up))
        centres = FaceBox(x: box.x + box.width / 2 - reach, y: box.y + box.height / 2 - reach, width: 2 * reach + 1, height: 2 * reach + 1)
        var nearby = parameters
        nearby.minSize = max(parameters.minSize, Int((size * Self.smallest).rounded(.down)))
        let largest = Int((size * Self.largest).rounded(.up))
        nearby.maxSize = parameters.maxSize > 0 ? min(parameters.maxSize, largest) : largest
        self.parameters = nearby
    }

    func detect(with detector: HaarDetector, in gray: GrayImage) -> [FaceBox] {
        detector.detect(gray, parameters: parameters, centres: centres)
    }
}

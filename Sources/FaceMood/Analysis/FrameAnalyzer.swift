/// How faces are searched for.
public enum SearchMode: Sendable, Equatable {
    /// Full-frame detection on every frame: the same boxes as OpenCV on every frame.
    case exact
    /// After a face is found, the next frames search only window sizes near it (`TrackingWindow`); a
    /// detection at every size runs every `fullDetectionEvery` frames and whenever that search finds nothing.
    case tracking(fullDetectionEvery: Int)

    /// The default: a full detection every 10 frames (a third of a second at 30 fps); see the README's
    /// performance section for the measurements behind it.
    public static let standard = SearchMode.tracking(fullDetectionEvery: 10)

    /// Frames that can be analysed independently of the frames before them.
    var segmentLength: Int {
        switch self {
        case .exact: return 1
        case let .tracking(every): return max(every, 1)
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
        if case .tracking = mode, let previous {
            let nearby = TrackingWindow(around: previous, parameters: parameters)
            let found = nearby.detect(with: detector, in: gray)
            if !found.isEmpty { return found }
        }
        return detector.detect(gray, parameters: parameters)
    }

    /// Largest area; on a tie the first in the detector's order (which lists larger boxes first, then by position).
    static func largest(of faces: [FaceBox]) -> FaceBox? {
        var best: FaceBox?
        for face in faces where best == nil || face.area > best!.area { best = face }
        return best
    }
}

/// The search after a face was found: the whole frame, but only window sizes from half to twice the
/// previous face (a narrower 3/4–4/3 range lost label agreement with the exact mode on
/// WolfgangLanger_Pexels.mp4, whose grouped boxes draw on candidates of a wider size range). The pyramid levels and windows scanned are exactly those of a full detection at these
/// sizes, so the face's cluster of candidates — and so its box — is normally the full detection's; what
/// is skipped is the many small windows, where nearly all of a full detection's time goes.
struct TrackingWindow {
    let parameters: HaarDetector.Parameters

    /// The previous box grown by its size on every side.
    let area: FaceBox

    init(around box: FaceBox, parameters: HaarDetector.Parameters) {
        let grow = max(box.width, box.height)
        area = FaceBox(x: box.x - grow, y: box.y - grow, width: box.width + 2 * grow, height: box.height + 2 * grow)
        var nearby = parameters
        let size = max(box.width, box.height)
        nearby.minSize = max(parameters.minSize, size / 2)
        nearby.maxSize = parameters.maxSize > 0 ? min(parameters.maxSize, size * 2) : size * 2
        self.parameters = nearby
    }

    func detect(with detector: HaarDetector, in gray: GrayImage) -> [FaceBox] {
        detector.detect(gray, parameters: parameters, searchArea: area)
    }
}

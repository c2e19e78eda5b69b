import FaceDetection
import Imaging

/// OpenCV's Haar cascade detector (`detectMultiScale`), in one of two search modes.
public struct HaarFaceDetector: FaceDetector {
    public typealias Parameters = HaarDetector.Parameters

    public let cascade: HaarCascade
    public let parameters: Parameters
    public let mode: SearchMode
    public let cascadeSHA256: String

    /// Checks the parameters (see `HaarDetector.Parameters.validate`) and fingerprints the cascade file.
    public init(cascade: HaarCascade, parameters: Parameters = Parameters(), mode: SearchMode = .standard) throws {
        try parameters.validate()
        self.cascade = cascade
        self.parameters = parameters
        self.mode = mode
        cascadeSHA256 = try SHA256.hex(ofFile: cascade.path)
    }

    /// The bundled frontal-face cascade (see `DefaultAssets`).
    public static func bundled(parameters: Parameters = Parameters(), mode: SearchMode = .standard) throws -> HaarFaceDetector {
        try HaarFaceDetector(cascade: try HaarCascade(path: DefaultAssets.cascadePath), parameters: parameters, mode: mode)
    }

    public var settings: [DetectorSetting] {
        [
            DetectorSetting("cascade", .text(cascade.path)),
            DetectorSetting("cascade_sha256", .text(cascadeSHA256)),
            DetectorSetting("scale_factor", .number(parameters.scaleFactor)),
            DetectorSetting("min_neighbors", .integer(parameters.minNeighbors)),
            DetectorSetting("min_size", .integer(parameters.minSize)),
            DetectorSetting("max_size", .integer(parameters.maxSize)),
        ]
    }

    public func makeSession() -> any FaceDetectorSession {
        Session(detector: HaarDetector(cascade: cascade), parameters: parameters, mode: mode)
    }

    /// A tracking segment starts with a full detection, so it does not depend on the frames before it;
    /// exact-mode frames are independent anyway and are handed out four at a time so that workers rarely
    /// wait on each other.
    public func segmentLength(framesPerSecond: Double?) -> Int {
        switch mode {
        case .exact: return 4
        case let .tracking(every): return every.frames(framesPerSecond: framesPerSecond)
        }
    }

    final class Session: FaceDetectorSession {
        private let detector: HaarDetector
        private let parameters: Parameters
        private let mode: SearchMode

        init(detector: HaarDetector, parameters: Parameters, mode: SearchMode) {
            self.detector = detector
            self.parameters = parameters
            self.mode = mode
        }

        func detectFaces(in image: GrayImage, previousFace: FaceBox?) -> [FaceBox] {
            guard case .tracking = mode else { return detector.detect(image, parameters: parameters) }
            if let previousFace {
                let found = TrackingWindow(around: previousFace, parameters: parameters).detect(with: detector, in: image)
                if !found.isEmpty { return found }
            }
            // Only the largest face is analysed, so sizes well below it need no scan.
            return detector.detectScreened(image, parameters: parameters, sizeFloor: TrackingWindow.smallest)
        }
    }
}

/// How faces are searched for.
public enum SearchMode: Sendable, Equatable {
    /// Full-frame detection on every frame: the same boxes as OpenCV on every frame.
    case exact
    /// After a face is found, the next frames search only near it (`TrackingWindow`); a frame-wide detection
    /// runs every `fullDetectionEvery` and whenever that search finds nothing, scanning sizes from the
    /// largest down to 0.6 times the largest face it meets, after a screen of a quarter of the windows
    /// (`HaarDetector.detectScreened`).
    case tracking(fullDetectionEvery: DetectionInterval)

    /// The default: a full detection every 10 frames (a third of a second at 30 fps); see the README's
    /// performance section for the measurements behind it.
    public static let standard = SearchMode.tracking(fullDetectionEvery: .standard)
}

/// The spacing of the default mode's frame-wide detections.
public enum DetectionInterval: Sendable, Equatable {
    case frames(Int)
    case seconds(Double)

    /// The default mode's: every 10 frames.
    public static let standard = DetectionInterval.frames(10)
    /// For frames far apart in time (sampling), where the last face says little about where the next is.
    public static let everyFrame = DetectionInterval.frames(1)

    /// The longest interval accepted: a full detection at least once an hour of video at 30 fps.
    public static let maximumFrames = 108_000

    /// Seconds become the nearest whole number of frames at the stream's average rate (30 frames per second
    /// when the stream does not say), at least one and at most `maximumFrames`.
    func frames(framesPerSecond: Double?) -> Int {
        switch self {
        case let .frames(count): return min(max(count, 1), Self.maximumFrames)
        case let .seconds(duration):
            let rate = framesPerSecond.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 30
            let frames = (duration * rate).rounded()
            guard frames.isFinite, frames < Double(Self.maximumFrames) else { return Self.maximumFrames }
            return max(Int(frames), 1)
        }
    }

    /// "10" (frames) or "0.5s" (seconds); nil for anything else, zero, negative or beyond an hour at 30 fps.
    public init?(argument: String) {
        if argument.hasSuffix("s") {
            guard let duration = Double(argument.dropLast()), duration > 0, duration <= Double(Self.maximumFrames) / 30 else { return nil }
            self = .seconds(duration)
        } else {
            guard let count = Int(argument), count >= 1, count <= Self.maximumFrames else { return nil }
            self = .frames(count)
        }
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

    let area: WindowNeighbourhood

    init(around box: FaceBox, parameters: HaarDetector.Parameters) {
        area = WindowNeighbourhood(around: box, parameters: parameters, smallest: Self.smallest, largest: Self.largest,
                                   centreReach: Self.centreReach)
    }

    func detect(with detector: HaarDetector, in gray: GrayImage) -> [FaceBox] {
        detector.detect(gray, parameters: area.parameters, centres: area.centres)
    }
}

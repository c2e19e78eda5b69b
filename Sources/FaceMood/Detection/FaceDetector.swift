import Foundation
import Imaging

/// A kind of face detector with its settings: shared by every thread of an analysis, it makes one
/// `FaceDetectorSession` per thread and describes itself for the outputs.
///
/// A new detector is a new type conforming to this protocol; the analysis needs nothing else.
public protocol FaceDetector: Sendable {
    /// The members of the JSON timeline's `"detector"` object, in order.
    var settings: [DetectorSetting] { get }
    /// Working memory for detecting on one thread.
    func makeSession() -> any FaceDetectorSession
    /// How many consecutive frames a session sees before it starts afresh (with no previous face). Segments
    /// are analysed in parallel, so the results do not depend on the number of threads.
    func segmentLength(framesPerSecond: Double?) -> Int
    /// Whether sessions need the frames' colour pixels (a CNN detector does; a Haar cascade reads gray).
    var needsColor: Bool { get }
}

extension FaceDetector {
    public var needsColor: Bool { false }
}

/// Finds faces in one frame at a time, on one thread.
public protocol FaceDetectorSession: AnyObject {
    /// Faces in `image`, largest first. `previousFace` is the face analysed in the previous frame of the
    /// same segment, if any: a detector may search near it instead of the whole frame.
    func detectFaces(in image: GrayImage, previousFace: FaceBox?) -> [FaceBox]
    /// Faces in `frame` (its colour when the detector `needsColor`), largest first, with keypoints and scores
    /// when the detector gives them. By default, `detectFaces` on the gray image.
    func detect(in frame: VideoFrame, previousFace: FaceBox?) throws -> [DetectedFace]
}

extension FaceDetectorSession {
    public func detect(in frame: VideoFrame, previousFace: FaceBox?) throws -> [DetectedFace] {
        detectFaces(in: frame.gray, previousFace: previousFace).map { DetectedFace(box: $0) }
    }
}

/// A point in a frame's pixels (a landmark).
public struct FacePoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A face a detector found: its box in the frame's pixels, the box its crop is cut from (the same unless the
/// detector frames faces differently from what the emotion model was trained on), and its keypoints, eyes and
/// score when the detector gives them.
public struct DetectedFace: Sendable, Equatable {
    public var box: FaceBox
    public var cropBox: FaceBox
    public var keypoints: [FacePoint]
    /// The eyes' centres, when the detector finds them: `--align` levels the line between them.
    public var eyes: EyePair?
    public var score: Double?

    public init(box: FaceBox, cropBox: FaceBox? = nil, keypoints: [FacePoint] = [], eyes: EyePair? = nil, score: Double? = nil) {
        self.box = box
        self.cropBox = cropBox ?? box
        self.keypoints = keypoints
        self.eyes = eyes
        self.score = score
    }
}

/// Two eye centres, in the order the line between them is measured: for BlazeFace the face's right eye (on the
/// left of an upright face's image), then its left.
public struct EyePair: Sendable, Equatable {
    public var first: FacePoint
    public var second: FacePoint

    public init(_ first: FacePoint, _ second: FacePoint) {
        self.first = first
        self.second = second
    }

    /// The angle of the line from the first eye to the second, in radians (0: level).
    public var angle: Double { atan2(second.y - first.y, second.x - first.x) }
}

/// One member of a detector's description.
public struct DetectorSetting: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int)
        case number(Double)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

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
}

/// Finds faces in one frame at a time, on one thread.
public protocol FaceDetectorSession: AnyObject {
    /// Faces in `image`, largest first. `previousFace` is the face analysed in the previous frame of the
    /// same segment, if any: a detector may search near it instead of the whole frame.
    func detectFaces(in image: GrayImage, previousFace: FaceBox?) -> [FaceBox]
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

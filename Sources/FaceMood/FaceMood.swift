import FaceDetection
import Imaging
import KerasModel
import VideoIO

/// The tool's name and version, as written into every output it produces.
public enum FaceMoodTool {
    public static let name = "facemood"
    public static let version = "0.1.0"
}

// The types an embedding program meets in this module's API, so that `import FaceMood` is enough to
// name them. Everything else in the helper modules stays out of the importer's namespace.
public typealias GrayImage = Imaging.GrayImage
public typealias RGBImage = Imaging.RGBImage
public typealias FaceBox = Imaging.FaceBox
public typealias ImageError = Imaging.ImageError
public typealias VideoFrame = VideoIO.VideoFrame
public typealias VideoStreamInfo = VideoIO.VideoStreamInfo
public typealias VideoError = VideoIO.VideoError
public typealias HaarCascade = FaceDetection.HaarCascade
public typealias CascadeError = FaceDetection.CascadeError
public typealias DetectorParameterError = FaceDetection.DetectorParameterError
public typealias InputSettings = VideoIO.InputSettings
public typealias InputOption = VideoIO.InputOption

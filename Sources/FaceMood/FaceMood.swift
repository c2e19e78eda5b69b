@_exported import FaceDetection
@_exported import Imaging
@_exported import KerasModel
@_exported import Overlay
@_exported import VideoIO

/// The tool's name and version, as written into every output it produces.
public enum FaceMoodTool {
    public static let name = "facemood"
    public static let version = "0.1.0"
}

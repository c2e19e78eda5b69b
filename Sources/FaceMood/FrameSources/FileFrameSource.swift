import Foundation
import VideoIO

/// Frames of a file's best video stream, decoded by libavformat and libavcodec; `-` reads standard input
/// (any container libavformat can probe from a pipe: Matroska, MPEG-TS, NUT, fragmented MP4…). Its state
/// is behind a lock, so `close()` and `isClosed` may be used from any thread.
public final class FileFrameSource: FrameSource, @unchecked Sendable {
    public var path: String { sourceDescription.path }
    /// The path that reads standard input.
    public static let standardInput = VideoReader.standardInput
    /// `stdin` for standard input, else the path.
    public static func displayName(_ path: String) -> String { VideoReader.displayName(path) }
    public let sourceDescription: SourceDescription
    private var reader: VideoReader?
    private let lock = NSLock()

    /// Opens the file and reads its stream's description; decoding starts with the first `nextFrame()`.
    public init(path: String) throws {
        // Before opening, so that a file replaced while it is read is not recorded as the new one.
        let identity = path == VideoReader.standardInput ? nil : FileIdentity(path: path)
        let reader = try VideoReader(path: path)
        self.reader = reader
        sourceDescription = SourceDescription(path: path, stream: reader.info, timeBase: reader.timeBase,
                                        averageFrameRate: reader.averageFrameRate,
                                        // A pipe cannot be read a second time for its audio.
                                        audioSource: path == VideoReader.standardInput ? nil : path,
                                        videoStartOffset: reader.videoStartOffset, file: identity)
    }

    public func prepare(color: Bool) throws {
        lock.withLock { reader?.wantsColor = color }
    }

    public func nextFrame() throws -> VideoFrame? {
        guard let reader = lock.withLock({ reader }) else { return nil }
        return try reader.nextFrame()
    }

    public var timestampDiscontinuities: Int { lock.withLock { reader?.discontinuitiesCorrected ?? discontinuitiesAtClose } }
    private var discontinuitiesAtClose = 0

    /// Whether the file and its decoder have been released.
    public var isClosed: Bool { lock.withLock { reader == nil } }

    public func close() {
        lock.withLock {
            discontinuitiesAtClose = reader?.discontinuitiesCorrected ?? discontinuitiesAtClose
            reader = nil
        }
    }
}

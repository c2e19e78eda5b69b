import Foundation
import CFFmpeg

/// Everything that can go wrong while reading a video, each case naming the file and what was found.
public enum VideoError: Error, Equatable, CustomStringConvertible {
    /// libavformat could not open or identify the file.
    case cannotOpen(path: String, reason: String)
    /// The container opened but holds no decodable video stream.
    case noVideoStream(path: String, found: String)
    /// The video stream's codec has no decoder in this FFmpeg build.
    case noDecoder(path: String, codec: String)
    /// Reading or decoding failed after `framesDecoded` frames had been delivered.
    case decodeFailed(path: String, framesDecoded: Int, reason: String)
    /// Encoding or muxing an output video failed.
    case encodeFailed(path: String, reason: String)
    /// An FFmpeg call that should not fail did (allocation, configuration).
    case ffmpegFailure(path: String, operation: String, reason: String)
    /// The user closed the preview window.
    case windowClosed

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): expected a video or image file, but FFmpeg cannot open it: \(reason)"
        case let .noVideoStream(path, found):
            return "\(path): expected a video stream, found \(found)"
        case let .noDecoder(path, codec):
            return "\(path): the video codec '\(codec)' has no decoder in this FFmpeg build"
        case let .decodeFailed(path, framesDecoded, reason):
            return "\(path): decoding stopped after \(framesDecoded) frame\(framesDecoded == 1 ? "" : "s"): \(reason)"
        case let .encodeFailed(path, reason):
            return "\(path): expected to write a video, but \(reason)"
        case let .ffmpegFailure(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        case .windowClosed:
            return "\(PreviewWindow.name): closed"
        }
    }
}

/// FFmpeg's own text for a negative return code.
func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    if av_strerror(code, &buffer, buffer.count) < 0 {
        return "FFmpeg error \(code)"
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

let ffmpegEOF = cffmpeg_averror_eof()
let ffmpegEAGAIN = cffmpeg_averror_eagain()
let ffmpegNoTimestamp = cffmpeg_nopts_value()
let ffmpegExit = cffmpeg_averror_exit()

extension Double {
    /// `2.5`, `10`, `0.1`: at most `significantDigits` digits, no trailing zeros, for messages.
    func formatted(significantDigits: Int) -> String { String(format: "%.\(significantDigits)g", self) }
}

extension VideoError: LocalizedError {
    public var errorDescription: String? { description }
}

import FaceMood
import Foundation

/// What `facemood probe` reports: the container's description, and optionally what decoding really found.
struct ProbeReport: Sendable, Equatable, Codable {
    struct DecodedCount: Sendable, Equatable, Codable {
        var frames: Int
        var firstTimeSeconds: Double?
        var lastTimeSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case frames
            case firstTimeSeconds = "first_time_s"
            case lastTimeSeconds = "last_time_s"
        }
    }

    var path: String
    var stream: VideoStreamInfo
    var decoded: DecodedCount?

    /// Describes `source` and, when `countFrames`, decodes the whole stream to count frames.
    init(source: any FrameSource, countFrames: Bool) throws {
        defer { source.close() }
        path = source.sourceDescription.path
        stream = source.sourceDescription.stream
        guard countFrames else { return }
        var count = DecodedCount(frames: 0)
        while let frame = try source.nextFrame() {
            if count.frames == 0 { count.firstTimeSeconds = frame.time }
            count.lastTimeSeconds = frame.time
            count.frames += 1
        }
        decoded = count
    }

    func text() -> String {
        var lines: [(String, String)] = [
            ("file", path),
            ("container", stream.container),
            ("codec", stream.codec),
            ("pixel format", stream.pixelFormat),
            ("size", "\(stream.width)x\(stream.height)"),
            ("rotation", "\(stream.rotation)"),
            ("fps", stream.fps.map { String(format: "%.3f", $0) } ?? "unknown"),
            ("duration", stream.durationSeconds.map { String(format: "%.6f s", $0) } ?? "unknown"),
            ("frames", stream.frameCount.map { "\($0) (container index)" } ?? "unknown (not in the container)"),
        ]
        if let decoded {
            lines.append(("decoded frames", "\(decoded.frames)"))
            lines.append(("first time", decoded.firstTimeSeconds.map { String(format: "%.6f s", $0) } ?? "none"))
            lines.append(("last time", decoded.lastTimeSeconds.map { String(format: "%.6f s", $0) } ?? "none"))
        }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

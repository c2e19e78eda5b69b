import Imaging
import Foundation
import Testing

/// Paths into the repository and the FFmpeg command-line tools that serve as the reference.
enum Reference {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A sample from `samples/media` (fetched by `make assets`) or `samples/generated` (`make test-media`).
    static func media(_ name: String) throws -> String {
        for folder in ["samples/media", "samples/generated"] {
            let path = root.appendingPathComponent(folder).appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw ReferenceError("missing test media '\(name)': run 'make test-media' (make test does it)")
    }

    /// Every frame's `best_effort_timestamp_time` minus the stream's start time, as ffprobe decodes them.
    static func ffprobeTimes(_ path: String) throws -> [Double] {
        let start = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=start_time",
                                        "-of", "csv=p=0", path])
        let startTime = Double(String(decoding: start, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let output = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                         "frame=best_effort_timestamp_time", "-of", "csv=p=0", path])
        return try String(decoding: output, as: UTF8.self).split(separator: "\n").map { line in
            let field = line.split(separator: ",").first.map(String.init) ?? ""
            guard let time = Double(field) else { throw ReferenceError("ffprobe printed '\(line)' for \(path)") }
            return time - startTime
        }
    }

    /// Frames `indices` as `ffmpeg -pix_fmt <format> -f rawvideo` writes them (autorotated, like the reader).
    static func ffmpegFrames(_ path: String, indices: [Int], pixelFormat: String, frameBytes: Int) throws -> [[UInt8]] {
        let selection = indices.map { "eq(n\\,\($0))" }.joined(separator: "+")
        let output = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:v:0",
                                        "-vf", "select='\(selection)'", "-fps_mode", "passthrough",
                                        "-pix_fmt", pixelFormat, "-f", "rawvideo", "-"])
        guard output.count == frameBytes * indices.count else {
            throw ReferenceError("ffmpeg wrote \(output.count) bytes for \(indices.count) frames of \(frameBytes)")
        }
        return (0..<indices.count).map { [UInt8](output[($0 * frameBytes)..<(($0 + 1) * frameBytes)]) }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceError("\(tool) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return data
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

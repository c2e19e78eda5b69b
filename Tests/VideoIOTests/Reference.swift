import Imaging
import VideoIO
import Foundation
import Testing

/// Paths into the repository and the FFmpeg command-line tools that serve as the reference.
enum Reference {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A sample from `samples/media` (fetched by `make assets`) or `samples/generated` (`make test-media`).
    static func media(_ name: String) throws -> String {
        FFmpegLog.configure(verbose: false)
        for folder in ["samples/media", "samples/generated"] {
            let path = root.appendingPathComponent(folder).appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw ReferenceError("missing test media '\(name)': run 'make test-media' (make test does it)")
    }

    /// Every decoded frame's time as the `ffmpeg` command itself assigns it: its presentation time minus the
    /// file's start time, discontinuities corrected, in the stream's own time base (`-enc_time_base -1`),
    /// read from `-f framemd5`. The audio is mapped too: for MPEG-TS the command takes the start time from
    /// the streams it uses, and a player uses the audio as well.
    static func ffmpegTimes(_ path: String) throws -> [Double] {
        let output = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-map", "0:a?", "-fps_mode", "passthrough",
                                        "-enc_time_base", "-1", "-f", "framemd5", "-"])
        var timeBase: Double?
        var times: [Double] = []
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("#tb 0:") {
                let parts = line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: "/")
                guard parts.count == 2, let num = Double(parts[0]), let den = Double(parts[1]) else {
                    throw ReferenceError("ffmpeg printed '\(line)' for \(path)")
                }
                timeBase = num / den
            } else if line.hasPrefix("0,") {
                let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count >= 3, let pts = Double(fields[2]), let timeBase else {
                    throw ReferenceError("ffmpeg printed '\(line)' for \(path)")
                }
                times.append(pts * timeBase)
            }
        }
        return times
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

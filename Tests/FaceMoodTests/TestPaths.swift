import Foundation
import Imaging
@testable import FaceMood
@testable import TimelineOutputs
import VideoIO

enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func repository(_ relative: String) throws -> String {
        // The library leaves FFmpeg's log level alone; the tests, like the command, want only their own output.
        FFmpegLog.configure(verbose: false)
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestSetupError("\(relative) is missing: run 'make test' (it fetches assets and makes test media)")
        }
        return path
    }

    /// `<folder>/<input stem>`, where the command puts one input's outputs with `-o folder`.
    static func outputBase(_ input: String, in folder: URL) -> String {
        folder.appendingPathComponent(URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent).path
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Frame `index` of the video at `path` as `ffmpeg -pix_fmt rgb24` gives it (converted by the stream's colour tags; the
/// BlazeFace reference's input).
func ffmpegRGBFrame(_ path: String, index: Int) throws -> RGBImage {
    func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
    let size = String(decoding: try run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                                         "-of", "csv=p=0", path]), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
    guard size.count == 2 else { throw TestSetupError("ffprobe found no video size in \(path)") }
    let pixels = try run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-vf", "select=eq(n\\,\(index))", "-frames:v", "1",
                          "-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
    return try RGBImage(width: size[0], height: size[1], pixels: [UInt8](pixels))
}

/// The rows of a timeline as `analyze` wrote them.
func timelineRows(csv path: String) throws -> [TimelineRow] {
    try TimelineReader.read(file: path).rows
}

/// The bundled model and cascade from the repository, in `mode` (the reference comparisons use `.exact`).
func testAnalyzer(mode: SearchMode = .exact, threads: Int = 1) throws -> EmotionAnalyzer {
    let classifier = try EmotionClassifier(modelPath: try TestPaths.repository("models/emotion_model.hdf5"))
    let cascade = try HaarCascade(path: try TestPaths.repository("models/haarcascade_frontalface_default.xml"))
    return try EmotionAnalyzer(classifier: classifier, detector: try HaarFaceDetector(cascade: cascade, mode: mode), threads: threads)
}

/// What `facemood analyze` does for one input: the timelines and overlay `outputs` names.
@discardableResult
func analyzeLikeTheCommand(_ input: String, outputs: AnalysisOutputs, analyzer: EmotionAnalyzer,
                           notify: @escaping (String) -> Void = { _ in }) throws -> EmotionSummary {
    try analyzer.run(source: try FileFrameSource(path: input), sinks: try outputs.makeSinks(notify: notify))
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

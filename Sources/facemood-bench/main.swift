import Corpus
import FaceDetection
import FaceMood
import Foundation
import KerasModel
import TimelineOutputs
import VideoIO

// `make bench`: release-build figures for the README's performance section. Not a test: it asserts nothing.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The shortest of `runs` timings: the figures are throughputs of a warm process, and a neighbour's burst of load or a
/// first run's page faults lengthen single runs, never shorten them.
func fastest(of runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<runs { best = min(best, try seconds(body)) }
    return best
}

/// Decodes the video at `path` with the reader's defaults (GRAY8 conversion, FFmpeg's decoder threads): decode-only.
func decodedFrames(_ path: String) throws -> Int {
    let reader = try VideoReader(path: path)
    var frames = 0
    while try reader.nextFrame() != nil { frames += 1 }
    return frames
}

func machineDescription() -> String {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores"
}

// As the command does at start-up, so that the figures are the command's.
FrameBufferAllocation.keepFreedBuffers()

let root = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : FileManager.default.currentDirectoryPath)
/// Sections to run (default all): decode, model, layers (with model), detect, blazeface, analyze, corpus, live; and
/// `--figures=FILE`, which also writes the headline figures as JSON for `make bench-anchors` to set beside its anchors.
let figuresOption = "--figures="
let figuresPath = CommandLine.arguments.dropFirst(2).first { $0.hasPrefix(figuresOption) }.map { String($0.dropFirst(figuresOption.count)) }
let sections = Set(CommandLine.arguments.dropFirst(2).filter { !$0.hasPrefix(figuresOption) })
func wanted(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }

/// The figures `--figures` writes, by kind, then by sample video where they are per video.
final class Figures {
    private var values: [String: Any] = [:]

    func record(_ kind: String, _ value: Double) { values[kind] = value }

    func record(_ kind: String, video: String, _ value: Double) {
        var perVideo = values[kind] as? [String: Double] ?? [:]
        perVideo[video] = value
        values[kind] = perVideo
    }

    func write(to path: String) throws {
        values["machine"] = machineDescription()
        let data = try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }
}
let figures = Figures()
let media = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov"]
    .map { root.appendingPathComponent("samples/media/\($0)").path }

if !sections.contains("--rss") { print("machine: \(machineDescription())") }
if wanted("decode") {
print("")
print("decode only (our reader, GRAY8 conversion included, FFmpeg's decoder threads on; fastest of 3 runs)")
for path in media {
    var frames = 0
    let elapsed = try fastest(of: 3) { frames = try decodedFrames(path) }
    let name = URL(fileURLWithPath: path).lastPathComponent
    figures.record("decode_fps", video: name, Double(frames) / elapsed)
    print("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
        + String(format: "%5d frames  %8.1f frames/s", frames, Double(frames) / elapsed))
}
}

if wanted("model") {
print("")
print("emotion model, one thread, one face at a time")
let model = try KerasModel(path: root.appendingPathComponent("models/emotion_model.hdf5").path)
var generator = SystemRandomNumberGenerator()
let input = (0..<model.inputShape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) }
let session = InferenceSession(model: model)
for _ in 0..<20 { _ = try session.predict(input) }
// The median of several batches: a neighbour's burst of load moves one batch, not the median.
let runs = 200
var batches: [Double] = []
for _ in 0..<7 {
    batches.append(try seconds { for _ in 0..<runs { _ = try session.predict(input) } } / Double(runs))
}
let median = batches.sorted()[batches.count / 2]
figures.record("model_ms_per_face", median * 1000)
print(String(format: "  emotion_model.hdf5 (%d parameters): %.3f ms per face (median of %d batches of %d)",
             model.parameterCount, median * 1000, batches.count, runs))
if wanted("layers") {
    for (layer, time) in try session.layerTimes(input, repeats: 200).sorted(by: { $0.seconds > $1.seconds }).prefix(12) {
        print(String(format: "    %7.1f µs  ", time * 1e6) + layer)
    }
}
}

if wanted("detect") {
    print("")
    print("face detection, one thread, default parameters (scale 1.1, 5 neighbours, min size 30), first 60 frames")
    let cascade = try HaarCascade(path: root.appendingPathComponent("models/haarcascade_frontalface_default.xml").path)
    let detector = HaarDetector(cascade: cascade)
    for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "face_noface.mov"] {
        let reader = try VideoReader(path: root.appendingPathComponent("samples/media/\(name)").path)
        var frames: [GrayImage] = []
        while frames.count < 60, let frame = try reader.nextFrame() { frames.append(frame.gray) }
        _ = detector.detect(frames[0])
        let elapsed = seconds { for frame in frames { _ = detector.detect(frame) } }
        figures.record("detect_ms_per_frame", video: name, elapsed / Double(frames.count) * 1000)
        print("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
            + String(format: "%dx%d  %7.1f ms per frame", frames[0].width, frames[0].height, elapsed / Double(frames.count) * 1000))
    }
}

if wanted("blazeface") {
    print("")
    print("BlazeFace, one thread, full frame (letterbox, Pillow resize, inference, decoding, suppression), first 60 frames")
    for variant in BlazeFaceDetector.Variant.allCases {
        let detector = try BlazeFaceDetector(modelPath: root.appendingPathComponent("models/" + variant.modelFile).path, variant: variant)
        let session = detector.makeSession()
        for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4"] {
            let reader = try VideoReader(path: root.appendingPathComponent("samples/media/\(name)").path, options: .init(wantsColor: true))
            var frames: [VideoFrame] = []
            while frames.count < 60, let frame = try reader.nextFrame() { frames.append(frame) }
            _ = try session.detect(in: frames[0], previousFace: nil)
            let elapsed = try seconds { for frame in frames { _ = try session.detect(in: frame, previousFace: nil) } }
            print("  " + variant.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + name.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: "%7.2f ms per frame", elapsed / Double(frames.count) * 1000))
        }
    }
}

/// Peak resident memory of this process, in MB: VmHWM, which (unlike getrusage's maxrss) starts afresh
/// at exec instead of inheriting the parent's peak.
func peakRSS() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

func analyzer(mode: SearchMode, threads: Int) throws -> EmotionAnalyzer {
    let classifier = try EmotionClassifier(modelPath: root.appendingPathComponent("models/emotion_model.hdf5").path)
    let cascade = try HaarCascade(path: root.appendingPathComponent("models/haarcascade_frontalface_default.xml").path)
    return try EmotionAnalyzer(classifier: classifier, detector: try HaarFaceDetector(cascade: cascade, mode: mode), threads: threads)
}

func blazeFaceAnalyzer(mode: SearchMode, threads: Int) throws -> EmotionAnalyzer {
    let classifier = try EmotionClassifier(modelPath: root.appendingPathComponent("models/emotion_model.hdf5").path)
    let detector = try BlazeFaceDetector(modelPath: root.appendingPathComponent("models/face_detection_full_range.tflite").path,
                                         variant: .fullRange, mode: mode)
    return try EmotionAnalyzer(classifier: classifier, detector: detector, threads: threads)
}

/// What `facemood analyze` does for one input: both timelines, the overlay when asked.
func analyze(_ input: String, outputs: AnalysisOutputs, with analyzer: EmotionAnalyzer, clock: StageClock? = nil) throws -> EmotionSummary {
    try analyzer.run(source: try FileFrameSource(path: input), sinks: try outputs.makeSinks(), clock: clock)
}

/// Where `facemood analyze INPUT -o folder` puts the input's outputs, without their suffixes.
func outputBase(_ input: String, in folder: URL) -> String {
    try! CorpusInputs.discover(arguments: [input])[0].outputBase(folder: folder.path)
}

func scratchFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

if CommandLine.arguments.count > 3 && CommandLine.arguments[2] == "--rss" {
    // Child mode: analyse one file (default mode, all cores, both timelines) and print the peak RSS.
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let input = CommandLine.arguments[3]
    _ = try analyze(input, outputs: AnalysisOutputs.defaults(base: outputBase(input, in: folder)),
                    with: try analyzer(mode: .standard, threads: EmotionAnalyzer.defaultThreads))
    print(String(format: "%.1f", peakRSS()))
    exit(0)
}

if wanted("analyze") {
    let cores = EmotionAnalyzer.defaultThreads
    print("")
    print("analyze: frames/s (ratio to decode-only), default mode = tracking, full detection every 10 frames; \(cores) threads unless stated;")
    print("each ratio against decode-only runs taken in turn with the analysis's own (the machine's speed drifts between")
    print("sections); fastest of at least 3 runs each and, for short videos, as many as fit in half a second (at most 9)")
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "face_noface.mov"] {
        let input = root.appendingPathComponent("samples/media/\(name)").path
        print("  \(name)")
        let runs: [(String, SearchMode, Int, Bool)] = [
            ("default", .standard, cores, false), ("exact", .exact, cores, false), ("exact, 1 thread", .exact, 1, false),
            ("default + overlay", .standard, cores, true), ("blazeface default", .standard, cores, false),
            ("blazeface exact", .exact, cores, false),
        ]
        for (label, mode, threads, withOverlay) in runs {
            var outputs = AnalysisOutputs.defaults(base: outputBase(input, in: folder))
            if withOverlay { outputs.overlay = AnalysisOutputs.defaultOverlay(base: outputBase(input, in: folder)) }
            let setup = label.hasPrefix("blazeface") ? try blazeFaceAnalyzer(mode: mode, threads: threads) : try analyzer(mode: mode, threads: threads)
            var clock = StageClock()
            var frames = 0, decodeFrames = 0
            var elapsed = Double.infinity, decodeTime = Double.infinity
            var count = 0, spent = 0.0
            while count < 3 || (spent < 0.5 && count < 9) {
                let decoding = try seconds { decodeFrames = try decodedFrames(input) }
                decodeTime = min(decodeTime, decoding)
                let runClock = StageClock()
                let time = try seconds { frames = try analyze(input, outputs: outputs, with: setup, clock: runClock).frames }
                if time < elapsed { (elapsed, clock) = (time, runClock) }
                count += 1
                spent += time + decoding
            }
            let decodeRate = Double(decodeFrames) / decodeTime
            let rate = Double(frames) / elapsed
            figures.record("analyze_fps.\(label)", video: name, rate)
            figures.record("analyze_ratio_to_decode.\(label)", video: name, rate / decodeRate)
            let stages = StageClock.Stage.allCases.map { stage in
                String(format: "%@ %.2f", stage.rawValue, clock.seconds(stage) / Double(frames) * 1000)
            }.joined(separator: ", ")
            print("    " + label.padding(toLength: 18, withPad: " ", startingAt: 0)
                + String(format: "%7.1f frames/s  ratio %.3f (decode-only %6.1f, %d runs)   ms/frame per stage (all threads): ", rate,
                         rate / decodeRate, decodeRate, count) + stages)
        }
    }

    print("")
    print("memory: peak RSS of a default-mode analysis (child process), and of the same video looped 10 times")
    let original = root.appendingPathComponent("samples/media/single_face.mp4").path
    let looped = folder.appendingPathComponent("single_face_x10.mp4").path
    let ffmpeg = Process()
    ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    ffmpeg.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "9", "-i", original, "-c", "copy", looped]
    try ffmpeg.run()
    ffmpeg.waitUntilExit()
    func childPeak(_ input: String) throws -> String {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = [root.path, "--rss", input]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    print("  single_face.mp4 (72 frames):        \(try childPeak(original)) MB")
    print("  looped 10 times (720 frames):       \(try childPeak(looped)) MB")
}

if wanted("corpus") {
    // Many short files, as a corpus of clips: the per-file costs (opening, probing, starting the workers, writing)
    // count here, and one file's decoder thread cannot keep every core busy on its own.
    let cores = EmotionAnalyzer.defaultThreads
    let copies = 3
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let corpus = folder.appendingPathComponent("corpus").path
    for copy in 0..<copies {
        let sub = corpus + "/take\(copy)"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        for path in media { try FileManager.default.copyItem(atPath: path, toPath: sub + "/" + (path as NSString).lastPathComponent) }
    }
    let items = try CorpusInputs.discover(arguments: [corpus])
    var videoSeconds = 0.0
    let decodeTime = try seconds {
        for item in items {
            let reader = try VideoReader(path: item.input)
            while let frame = try reader.nextFrame() { videoSeconds += frame.duration }
        }
    }
    print("")
    print("corpus: \(items.count) files (\(media.count) samples × \(copies)), \(String(format: "%.1f", videoSeconds)) s of video; default mode, CSV and JSON")
    func report(_ label: String, _ elapsed: Double) {
        print("  " + label.padding(toLength: 46, withPad: " ", startingAt: 0)
            + String(format: "%6.0f files/h  %6.0f video-h/h  %.2f of decode-only", Double(items.count) / elapsed * 3600,
                     videoSeconds / elapsed, decodeTime / elapsed))
    }
    report("decode only, one file after another", decodeTime)
    let sequential = try seconds {
        let runner = BatchRunner(analyzer: try analyzer(mode: .standard, threads: cores), options: .init(outputFolder: folder.path + "/one"))
        let records = try runner.run(items.map { ($0, AnalysisOutputs.defaults(base: $0.outputBase(folder: folder.path + "/one"))) })
        if let failed = records.first(where: { $0.status != .done }) { fatalError(failed.error ?? failed.input) }
    }
    report("one file after another, \(cores) threads", sequential)
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add(_ amount: Int) { lock.withLock { value += amount } }
        var total: Int { lock.withLock { value } }
    }
    let failures = Counter()
    let atOnce = try seconds {
        let shared = try analyzer(mode: .standard, threads: 1)
        let group = DispatchGroup()
        for index in 0..<cores {
            let shard = try Shard(index: index, count: cores)
            DispatchQueue.global().async(group: group) {
                let runner = BatchRunner(analyzer: shared, options: .init(outputFolder: folder.path + "/many"))
                let records = (try? runner.run(shard.select(items).map { ($0, AnalysisOutputs.defaults(base: $0.outputBase(folder: folder.path + "/many"))) })) ?? []
                failures.add(records.filter { $0.status != .done }.count)
            }
        }
        group.wait()
    }
    precondition(failures.total == 0)
    report("\(cores) files at once, one thread each", atOnce)
}

if wanted("live") {
    // A live 640×360 source (the lavfi device playing a sample in a loop at real-time pace, as a camera delivers
    // frames): how long from a frame leaving the decoder to its NDJSON line being written, and whether the default
    // mode keeps up without dropping frames.
    print("")
    print("live: lavfi device at the sample's own rate (30 and 24 fps), 10 s, default mode; latency from the decoded frame to its NDJSON line written")
    final class LineWriter: TextDestination {
        let name = "/dev/null"
        let descriptor = open("/dev/null", O_WRONLY)
        func write(_ text: String) throws { _ = text.utf8CString.withUnsafeBufferPointer { Foundation.write(descriptor, $0.baseAddress, $0.count - 1) } }
        func flush() throws {}
        func finish() throws {}
        func commit() throws {}
        func discard() {}
        deinit { close(descriptor) }
    }
    final class LatencySink: TimelineSink {
        var latencies: [Double] = []
        func start(_ context: TimelineContext) throws {}
        func write(_ result: FrameResult, frame: VideoFrame) throws {
            guard let decodedAt = frame.decodedAt else { return }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - decodedAt) / 1e6)
        }
        func finish(summary: EmotionSummary, decoding: DecodingReport) throws {}
        func discard() {}
    }
    for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4"] {
        let graph = "movie=\(root.appendingPathComponent("samples/media/\(name)").path):loop=0,setpts=N/(FRAME_RATE*TB),realtime"
        let source = try FileFrameSource(path: graph, options: .init(input: InputSettings(format: "lavfi"), duration: 10))
        let latency = LatencySink()
        let summary = try analyzer(mode: .standard, threads: EmotionAnalyzer.defaultThreads)
            .run(source: source, sinks: [NDJSONTimelineSink(output: LineWriter()), latency])
        let sorted = latency.latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        let stream = source.sourceDescription.stream
        // The lavfi device states no frame rate; the graph plays the sample at its own.
        let rate = stream.fps.flatMap { $0 > 0 ? String(format: "%.0f fps", $0) : nil } ?? "rate unstated"
        print("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
            + String(format: "%dx%d %@  %4d frames analysed, %d dropped   latency p50 %.2f ms  p99 %.2f ms  max %.2f ms", stream.width, stream.height,
                     rate, summary.frames, summary.framesDropped, percentile(0.5), percentile(0.99), sorted.last ?? 0))
    }
}

if let figuresPath { try figures.write(to: figuresPath) }

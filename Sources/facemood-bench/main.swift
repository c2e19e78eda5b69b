import FaceMood
import Foundation

// `make bench`: release-build figures for the README's performance section. Not a test: it asserts nothing.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func machineDescription() -> String {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores"
}

let root = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : FileManager.default.currentDirectoryPath)
/// Sections to run (default all): decode, model.
let sections = Set(CommandLine.arguments.dropFirst(2))
func wanted(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }
let media = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov"]
    .map { root.appendingPathComponent("samples/media/\($0)").path }

print("machine: \(machineDescription())")
if wanted("decode") {
print("")
print("decode only (our reader, GRAY8 conversion included, FFmpeg's decoder threads on)")
for path in media {
    var frames = 0
    let elapsed = try seconds {
        let reader = try VideoReader(path: path)
        while try reader.nextFrame() != nil { frames += 1 }
    }
    let name = URL(fileURLWithPath: path).lastPathComponent
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
    for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4"] {
        let reader = try VideoReader(path: root.appendingPathComponent("samples/media/\(name)").path)
        var frames: [GrayImage] = []
        while frames.count < 60, let frame = try reader.nextFrame() { frames.append(frame.gray) }
        _ = detector.detect(frames[0])
        let elapsed = seconds { for frame in frames { _ = detector.detect(frame) } }
        print("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
            + String(format: "%dx%d  %7.1f ms per frame", frames[0].width, frames[0].height, elapsed / Double(frames.count) * 1000))
    }
}

if wanted("analyze") {
    print("")
    print("analyze, one thread (decode + detect + crop/classify + write), frames per second and ratio to decode-only")
    let classifier = try EmotionClassifier(modelPath: root.appendingPathComponent("models/emotion_model.hdf5").path)
    let cascade = try HaarCascade(path: root.appendingPathComponent("models/haarcascade_frontalface_default.xml").path)
    let setup = try AnalysisSetup(classifier: classifier, cascade: cascade, parameters: HaarDetector.Parameters())
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4"] {
        let input = root.appendingPathComponent("samples/media/\(name)").path
        var decodeFrames = 0
        let decodeTime = try seconds {
            let reader = try VideoReader(path: input)
            while try reader.nextFrame() != nil { decodeFrames += 1 }
        }
        let decodeRate = Double(decodeFrames) / decodeTime
        for withOverlay in [false, true] {
            var outputs = AnalysisOutputs.defaults(for: input, folder: folder.path)
            if withOverlay { outputs.overlay = AnalysisOutputs.defaultOverlay(for: input, folder: folder.path) }
            var frames = 0
            let elapsed = try seconds { frames = try VideoAnalysis.run(input: input, outputs: outputs, setup: setup).frames }
            let rate = Double(frames) / elapsed
            print("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: "%@  %7.1f frames/s  (decode-only %6.1f, ratio %.3f)", withOverlay ? "with overlay   " : "timelines only ",
                         rate, decodeRate, rate / decodeRate))
        }
    }
}

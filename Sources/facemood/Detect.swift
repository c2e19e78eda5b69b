import ArgumentParser
import FaceMood
import Foundation
import TimelineOutputs

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find faces in every frame (Haar cascade or BlazeFace); prints one JSON object per frame.",
        discussion: #"Each line: {"frame":0,"time_s":0.000000,"faces":[[x,y,w,h],...]}, boxes largest first; BlazeFace adds "scores":[s,...] and "keypoints":[[[x,y]×6],...] (eyes, nose tip, mouth, ear tragions)."#
    )

    @Argument(help: "A video or image file, - for standard input, a URL, or a device with --input-format.")
    var input: String

    @OptionGroup var source: InputOptions

    @OptionGroup var detection: DetectionOptions

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        Interruption.install()
        do {
            let analyzer = try EmotionAnalyzer.detectionOnly(detector: try detection.makeDetector(mode: .exact))
            _ = try analyzer.run(source: try FileFrameSource(path: input, options: source.sourceOptions), sinks: [DetectionLinesSink(output: StandardOutputText())],
                                 cancellation: Interruption.cancellation)
        } catch is CancellationError {
            throw ExitCode(Interruption.exitCode())
        } catch {
            throw fail(error)
        }
    }
}

/// The detector and its parameters, shared by every command that detects faces.
struct DetectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("haar: OpenCV's Haar cascade (the original recipe); blazeface: MediaPipe's BlazeFace full-range CNN (turned, tilted and distant faces); blazeface-short: its short-range model (faces within about 2 m).", valueName: "haar|blazeface|blazeface-short"))
    var detector: DetectorChoice = .haar

    // The detector-specific options are optional, so that one given for the other detector is refused even when
    // its value happens to be the default.
    @Option(name: .customLong("min-score"), help: ArgumentHelp("BlazeFace: the score a face must exceed (default: the reference's \(BlazeFaceDetector.defaultMinScore)).", valueName: "score"))
    var minScore: Double?

    @Option(help: ArgumentHelp("OpenCV Haar cascade XML (default: the bundled frontal-face cascade).", valueName: "file"))
    var cascade: String?

    @Option(help: "How much the search window grows between scales (1.01 to 10; default \(Self.haarDefaults.scaleFactor)).")
    var scaleFactor: Double?

    @Option(help: "How many overlapping detections a face needs to be kept (default \(Self.haarDefaults.minNeighbors)).")
    var minNeighbors: Int?

    @Option(help: "Smallest face size in pixels (default \(Self.haarDefaults.minSize)).")
    var minSize: Int?

    @Option(help: "Largest face size in pixels (0, the default: no limit).")
    var maxSize: Int?

    private static let haarDefaults = HaarFaceDetector.Parameters()

    func validate() throws {
        let chosen = parameters
        let range = HaarFaceDetector.Parameters.scaleFactorRange
        guard range.contains(chosen.scaleFactor) else {
            throw ValidationError("--scale-factor expects a number from \(range.lowerBound) to \(range.upperBound), found \(chosen.scaleFactor)")
        }
        guard HaarFaceDetector.Parameters.neighborsRange.contains(chosen.minNeighbors) else {
            throw ValidationError("--min-neighbors expects 0 to \(HaarFaceDetector.Parameters.neighborsRange.upperBound), found \(chosen.minNeighbors)")
        }
        let sizes = HaarFaceDetector.Parameters.sizeRange
        guard sizes.contains(chosen.minSize), sizes.contains(chosen.maxSize) else {
            throw ValidationError("--min-size and --max-size expect 0 to \(sizes.upperBound) pixels, found \(chosen.minSize) and \(chosen.maxSize)")
        }
        if let minScore, !(minScore > 0 && minScore < 1) {
            throw ValidationError("--min-score expects a score between 0 and 1 (exclusive), found \(minScore)")
        }
        let haarOptions = [("--cascade", cascade != nil), ("--scale-factor", scaleFactor != nil), ("--min-neighbors", minNeighbors != nil),
                           ("--min-size", minSize != nil), ("--max-size", maxSize != nil)].filter(\.1).map(\.0)
        if detector != .haar, let first = haarOptions.first {
            throw ValidationError("\(first) sets the Haar cascade, but --detector is \(detector.rawValue); drop it or use --detector haar")
        }
        if detector == .haar && minScore != nil {
            throw ValidationError("--min-score sets BlazeFace's threshold, but --detector is haar; add --detector blazeface or drop it")
        }
    }

    enum DetectorChoice: String, ExpressibleByArgument, CaseIterable {
        case haar, blazeface, blazeFaceShort = "blazeface-short"
    }

    /// The chosen detector in `mode`.
    func makeDetector(mode: SearchMode) throws -> any FaceDetector {
        switch detector {
        case .haar: return try HaarFaceDetector(cascade: try loadCascade(), parameters: parameters, mode: mode)
        case .blazeface: return try BlazeFaceDetector.bundled(.fullRange, minScore: minScore ?? BlazeFaceDetector.defaultMinScore, mode: mode)
        case .blazeFaceShort: return try BlazeFaceDetector.bundled(.shortRange, minScore: minScore ?? BlazeFaceDetector.defaultMinScore, mode: mode)
        }
    }

    var parameters: HaarFaceDetector.Parameters {
        let defaults = Self.haarDefaults
        return HaarFaceDetector.Parameters(scaleFactor: scaleFactor ?? defaults.scaleFactor, minNeighbors: minNeighbors ?? defaults.minNeighbors,
                                           minSize: minSize ?? defaults.minSize, maxSize: maxSize ?? defaults.maxSize)
    }

    func loadCascade() throws -> HaarCascade {
        try HaarCascade(path: cascade ?? DefaultAssets.cascadePath)
    }
}

import ArgumentParser
import FaceMood
import Foundation
import TimelineOutputs

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write each video's per-frame emotion timeline (CSV and JSON) and print its emotion summary.",
        discussion: "Outputs default to <folder>/<input stem>.emotions.csv and .emotions.json, the folder being -o or the input's."
    )

    @Argument(help: "Video files (or still images); - reads standard input (Matroska, MPEG-TS, NUT or another streamable container).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder for the timelines (created if missing).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("CSV timeline path (one input only).", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("JSON timeline path (one input only).", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Also write one JSON object per frame and line as frames are analysed; '-' is stdout (the summary table then goes to stderr). One input only.", valueName: "file|-"))
    var ndjson: String?

    @Flag(help: "Do not write the CSV timeline.")
    var noCSV = false

    @Flag(help: "Do not write the JSON timeline.")
    var noJSON = false

    @Flag(help: "Also write the annotated video (<stem>.overlay.mp4 beside the timelines); --overlay=FILE names it.")
    var overlay = false

    @Option(name: .customLong("overlay-file"), help: ArgumentHelp("Annotated video path (.mp4, .mov or .mkv); implies --overlay.", valueName: "file"))
    var overlayFile: String?

    @Option(help: "H.264 quality of the overlay: 0 (lossless) to 51; 18–23 look good.")
    var crf: Int = 20

    @Option(help: "x264 preset of the overlay: ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow.")
    var preset: String = "veryfast"

    @Option(help: ArgumentHelp("Keras HDF5 model (default: the bundled emotion model).", valueName: "file"))
    var model: String?

    @OptionGroup var profile: ProfileOptions

    @OptionGroup var detection: DetectionOptions

    @Option(help: ArgumentHelp("Pixels added around each face before classifying (default: the model's profile).", valueName: "px"))
    var margin: Int?

    @Flag(help: "Full-frame detection on every frame: OpenCV's boxes on every frame (slower).")
    var exact = false

    @Option(help: ArgumentHelp("Without --exact: a full-frame detection every N frames, or every T seconds with an s suffix (0.5s); between them only the region around the last face is searched.", valueName: "N|Ts"))
    var fullDetectionEvery: String = "10"

    @Option(help: ArgumentHelp("Analysis threads (default: all cores).", valueName: "N"))
    var threads: Int = EmotionAnalyzer.defaultThreads

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if inputs.count > 1 && (csv != nil || json != nil || ndjson != nil) {
            throw ValidationError("--csv, --json and --ndjson name one file each; with several inputs use -o DIR")
        }
        if inputs.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("'-' (standard input) can be given once")
        }
        if let margin, !(0...ModelProfile.maximumMargin).contains(margin) {
            throw ValidationError("--margin expects 0 to \(ModelProfile.maximumMargin) pixels, found \(margin)")
        }
        if inputs.count > 1 && overlayFile != nil {
            throw ValidationError("--overlay=FILE names one file; with several inputs use --overlay with -o DIR")
        }
        guard VideoWriterOptions.crfRange.contains(crf) else { throw ValidationError("--crf expects 0 to 51, found \(crf)") }
        guard VideoWriterOptions.presets.contains(preset) else {
            throw ValidationError("--preset expects one of \(VideoWriterOptions.presets.joined(separator: ", ")), found '\(preset)'")
        }
        guard (1...EmotionAnalyzer.maximumThreads).contains(threads) else {
            throw ValidationError("--threads expects 1 to \(EmotionAnalyzer.maximumThreads), found \(threads)")
        }
        guard DetectionInterval(argument: fullDetectionEvery) != nil else {
            throw ValidationError("--full-detection-every expects a number of frames (1 to \(DetectionInterval.maximumFrames)) or of seconds (0.5s), found \(fullDetectionEvery)")
        }
        if let overlayFile, !OverlayVideoSink.fileExtensions.contains(URL(fileURLWithPath: overlayFile).pathExtension.lowercased()) {
            throw ValidationError("--overlay=FILE expects a name ending in .mp4, .mov or .mkv, found '\(overlayFile)'")
        }
    }

    func run() throws {
        common.apply()
        Interruption.install()
        let analyzer: EmotionAnalyzer
        do {
            let mode: SearchMode = exact ? .exact : .tracking(fullDetectionEvery: DetectionInterval(argument: fullDetectionEvery)!)
            let detector = try HaarFaceDetector(cascade: try detection.loadCascade(), parameters: detection.parameters, mode: mode)
            analyzer = try EmotionAnalyzer(classifier: try profile.loadClassifier(modelPath: model, margin: margin), detector: detector,
                                           threads: threads)
            if let output { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        } catch let error as CocoaError {
            throw fail(OutputError.cannotWrite(path: output ?? "", reason: "the folder cannot be created (\(error.localizedDescription))"))
        } catch {
            throw fail(error)
        }
        let plan = inputs.map { (input: $0, outputs: outputs(for: $0)) }
        do {
            try AnalysisOutputs.checkClashes(plan)
        } catch {
            throw fail(error)
        }
        var failures: [String] = []
        for (input, outputs) in plan {
            let progress = ProgressLine(label: URL(fileURLWithPath: input).lastPathComponent, enabled: !quiet && isatty(STDERR_FILENO) == 1)
            do {
                let source = try FileFrameSource(path: input)
                let sinks = try outputs.makeSinks(notify: { notice in
                    if !quiet { FileHandle.standardError.write(Data("facemood: note: \(notice)\n".utf8)) }
                })
                let summary = try analyzer.run(source: source, sinks: sinks, cancellation: Interruption.cancellation,
                                               progress: { done, total in progress.update(done: done, total: total) })
                progress.finish()
                if !quiet {
                    // With NDJSON on stdout, stdout stays machine-readable and the table goes to stderr.
                    var report = summary.table(title: input == "-" ? "stdin" : input)
                    if !outputs.paths.isEmpty { report += "\n  wrote " + outputs.paths.joined(separator: ", ") }
                    if outputs.ndjson == "-" {
                        FileHandle.standardError.write(Data((report + "\n").utf8))
                    } else {
                        print(report)
                    }
                }
            } catch is CancellationError {
                progress.finish()
                throw ExitCode(Interruption.exitCode())
            } catch {
                progress.finish()
                failures.append(input == "-" ? "stdin" : input)
                fail(error)
            }
            if Interruption.signal != nil { throw ExitCode(Interruption.exitCode()) }
        }
        if !failures.isEmpty {
            throw fail("\(failures.count) of \(inputs.count) input\(inputs.count == 1 ? "" : "s") failed: " + failures.joined(separator: ", "))
        }
    }

    private func outputs(for input: String) -> AnalysisOutputs {
        var outputs = AnalysisOutputs.defaults(for: input, folder: output)
        if let csv { outputs.csv = csv }
        if let json { outputs.json = json }
        if noCSV { outputs.csv = nil }
        if noJSON { outputs.json = nil }
        outputs.ndjson = ndjson
        if overlay || overlayFile != nil {
            outputs.overlay = overlayFile ?? AnalysisOutputs.defaultOverlay(for: input, folder: output)
            outputs.overlayOptions = VideoWriterOptions(crf: crf, preset: preset)
        }
        return outputs
    }
}

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute the emotion summary of a timeline written by analyze (CSV or JSON)."
    )

    @Argument(help: "A .emotions.csv or .emotions.json file.")
    var timeline: String

    @Flag(help: "Print the summary as JSON (the \"summary\" object of the JSON timeline).")
    var json = false

    func run() throws {
        do {
            let summary = try TimelineReader.summary(ofFile: timeline)
            print(json ? summary.json() : summary.table(title: timeline))
        } catch {
            throw fail(error)
        }
    }
}

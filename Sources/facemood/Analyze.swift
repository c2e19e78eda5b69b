import ArgumentParser
import Corpus
import FaceMood
import Foundation
import TimelineOutputs

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write each video's per-frame emotion timeline (CSV and JSON) and print its emotion summary.",
        discussion: """
            Inputs are files, folders (searched recursively for video and image files, in byte order) and lists \
            (--from-list). Outputs default to <input stem>.emotions.csv and .emotions.json beside each input; with \
            -o DIR they mirror each input's path under DIR (relative to the folder it was found in, or to the common \
            folder of the files named), and DIR/facemood-batch.csv records every input.

            Exit status: 0 every input done or skipped; 1 some inputs failed (the others completed); 64 bad usage; \
            66 no input found; 128+N ended by signal N (nothing unfinished is left).
            """
    )

    @Argument(help: "Video files, still images or folders; - reads standard input (Matroska, MPEG-TS, NUT or another streamable container); URLs (http, rtsp, rtmp, udp, srt, hls…); devices with --input-format.")
    var inputs: [String] = []

    @OptionGroup var source: InputOptions

    @Flag(help: "Show the overlay in a window as frames are analysed (a file at its own pace; needs a display).")
    var preview = false

    @Option(name: .customLong("from-list"), help: ArgumentHelp("A file listing inputs, one per line (- is standard input); repeatable.", valueName: "file"))
    var lists: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder for the outputs (created if missing); mirrors the inputs' folders.", valueName: "dir"))
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

    @Flag(help: "Also write the annotated video (<stem>.overlay.mp4 beside the timelines); --overlay=FILE names it, --overlay - writes Matroska to stdout (for | ffplay -).")
    var overlay = false

    @Option(name: .customLong("overlay-file"), help: ArgumentHelp("Annotated video path (.mp4, .mov or .mkv; - is stdout, as Matroska); implies --overlay.", valueName: "file"))
    var overlayFile: String?

    @Option(help: "H.264 quality of the overlay: 0 (lossless) to 51; 18–23 look good.")
    var crf: Int = 20

    @Option(help: "x264 preset of the overlay: ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow.")
    var preset: String = "veryfast"

    @Flag(help: "--skip-done: skip an input whose outputs exist and whose JSON records the same input (size, modification time), model, detector settings, sampling and facemood version. --overwrite (the default): analyse every input.")
    var existing: ExistingOutputs = .overwrite

    @Option(help: ArgumentHelp("Analyse only shard I of N (from 0): input k of the sorted list when k mod N = I. 'auto' reads a Slurm job array's task or a Kubernetes Indexed Job's index (with --shards).", valueName: "I/N|auto"))
    var shard: String?

    @Option(help: ArgumentHelp("The number of shards with --shard auto under a Kubernetes Indexed Job (its completions).", valueName: "N"))
    var shards: Int?

    @Option(help: ArgumentHelp("Manifest path (default with -o DIR and a folder, a list, a shard or several inputs: DIR/facemood-batch.csv, DIR/facemood-batch-I-of-N.csv for a shard).", valueName: "file"))
    var manifest: String?

    @Option(help: ArgumentHelp("auto: a progress line on stderr when it is a terminal; jsonl: also one JSON line per finished input on stdout (the summary tables then go to stderr); none.", valueName: "auto|jsonl|none"))
    var progress: ProgressStyle = .auto

    @Flag(help: "Also draw the timeline as an SVG chart (<stem>.emotions.svg beside the timelines).")
    var plot = false

    @Option(help: ArgumentHelp("Add smoothed probabilities and a smoothed emotion to the timelines, beside the raw values: the duration-weighted mean over the face frames within T/2 of each frame (a stretch without a face longer than T is not bridged).", valueName: "T"))
    var smooth: Double?

    @Option(name: .customLong("sample-fps"), help: ArgumentHelp("Analyse only the frame nearest each 1/F s from the first frame; the others are left out and each row's duration spans to the next (recorded in the JSON). Full detection then runs on every analysed frame unless --full-detection-every says otherwise.", valueName: "F"))
    var sampleFPS: Double?

    @Option(help: ArgumentHelp("Keras HDF5 model (default: the bundled emotion model).", valueName: "file"))
    var model: String?

    @OptionGroup var profile: ProfileOptions

    @OptionGroup var detection: DetectionOptions

    @Option(help: ArgumentHelp("Pixels added around each face before classifying (default: the model's profile).", valueName: "px"))
    var margin: Int?

    @Flag(help: "Full-frame detection on every frame: OpenCV's boxes on every frame (slower).")
    var exact = false

    @Flag(help: "With --detector blazeface: turn each face's crop so the eyes are level before classifying (recorded in the JSON).")
    var align = false

    @Option(help: ArgumentHelp("Without --exact: a full-frame detection every N frames (default 10), or every T seconds with an s suffix (0.5s); between them only the region around the last face is searched.", valueName: "N|Ts"))
    var fullDetectionEvery: String?

    @Option(help: ArgumentHelp("Analysis threads (default: the CPUs this process may use: its affinity mask, cgroup quota and SLURM_CPUS_PER_TASK).", valueName: "N"))
    var threads: Int = EmotionAnalyzer.defaultThreads

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .customLong("dry-run"), help: "Print the inputs this run (or shard) would take, one per line: 'analyse' or 'skip' (with --skip-done), a tab, the input. Analyse nothing.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    enum ExistingOutputs: String, EnumerableFlag {
        case skipDone, overwrite
        static func name(for value: Self) -> NameSpecification { .customLong(value == .skipDone ? "skip-done" : "overwrite") }
    }

    enum ProgressStyle: String, ExpressibleByArgument, CaseIterable {
        case auto, jsonl, none
    }

    static let exitNoInput: Int32 = 66

    func validate() throws {
        if inputs.isEmpty && lists.isEmpty {
            throw ValidationError("expected inputs (files, folders or -) or --from-list FILE, found none")
        }
        if inputs.count > 1 && (csv != nil || json != nil || ndjson != nil) {
            throw ValidationError("--csv, --json and --ndjson name one file each; with several inputs use -o DIR")
        }
        if (inputs + lists).filter({ $0 == "-" }).count > 1 {
            throw ValidationError("'-' (standard input) can be given once, as an input or as --from-list")
        }
        if let margin, !(0...ModelProfile.maximumMargin).contains(margin) {
            throw ValidationError("--margin expects 0 to \(ModelProfile.maximumMargin) pixels, found \(margin)")
        }
        if inputs.count > 1 && overlayFile != nil {
            throw ValidationError("--overlay=FILE names one file; with several inputs use --overlay with -o DIR")
        }
        guard VideoWriterOptions.crfRange.contains(crf) else { throw ValidationError("--crf expects \(VideoWriterOptions.crfRange.lowerBound) to \(VideoWriterOptions.crfRange.upperBound), found \(crf)") }
        guard VideoWriterOptions.presets.contains(preset) else {
            throw ValidationError("--preset expects one of \(VideoWriterOptions.presets.joined(separator: ", ")), found '\(preset)'")
        }
        guard (1...EmotionAnalyzer.maximumThreads).contains(threads) else {
            throw ValidationError("--threads expects 1 to \(EmotionAnalyzer.maximumThreads), found \(threads)")
        }
        if let fullDetectionEvery, DetectionInterval(argument: fullDetectionEvery) == nil {
            throw ValidationError("--full-detection-every expects a number of frames (1 to \(DetectionInterval.maximumFrames)) or of seconds (0.5s), found \(fullDetectionEvery)")
        }
        if let overlayFile, overlayFile != OverlayVideoSink.standardOutput,
           !OverlayVideoSink.fileExtensions.contains(URL(fileURLWithPath: overlayFile).pathExtension.lowercased()) {
            throw ValidationError("--overlay=FILE expects a name ending in .mp4, .mov or .mkv, found '\(overlayFile)'")
        }
        if existing == .skipDone && noJSON {
            throw ValidationError("--skip-done reads each input's JSON timeline to know it is done; drop --no-json")
        }
        if existing == .skipDone && (inputs.contains("-") || inputs.contains(where: InputSettings.isNetworkURL) || source.namesDevices) {
            throw ValidationError("--skip-done cannot tell whether standard input, a stream or a device was analysed before; give files")
        }
        let stdoutUsers = [("--ndjson -", ndjson == "-"), ("--overlay -", overlayFile == OverlayVideoSink.standardOutput),
                           ("--progress jsonl", progress == .jsonl)].filter(\.1).map(\.0)
        if stdoutUsers.count > 1 {
            throw ValidationError("\(stdoutUsers.joined(separator: " and ")) would both write to stdout; send one of them to a file")
        }
        if source.namesDevices && !lists.isEmpty {
            throw ValidationError("--input-format names devices or streams as arguments; --from-list takes files")
        }
        if let shard, shard != "auto" {
            do { _ = try Shard(argument: shard) } catch { throw ValidationError("\(error)") }
        }
        if let shards, !(1...Shard.maximumCount).contains(shards) {
            throw ValidationError("--shards expects 1 to \(Shard.maximumCount), found \(shards)")
        }
        if shards != nil && shard != "auto" {
            throw ValidationError("--shards goes with --shard auto (a Kubernetes Indexed Job's completions)")
        }
        if let sampleFPS, !FrameSampling.framesPerSecondRange.contains(sampleFPS) {
            throw ValidationError("--sample-fps expects \(FrameSampling.framesPerSecondRange.lowerBound) to \(Int(FrameSampling.framesPerSecondRange.upperBound)) frames per second, found \(sampleFPS)")
        }
        if align && detection.detector == .haar {
            throw ValidationError("--align turns the crop by the eyes' keypoints, which the Haar cascade does not give; add --detector blazeface")
        }
        if let smooth, !TimelineSmoothing.windowRange.contains(smooth) {
            throw ValidationError("--smooth expects \(TimelineSmoothing.windowRange.lowerBound) to \(Int(TimelineSmoothing.windowRange.upperBound)) seconds, found \(smooth)")
        }
        if sampleFPS != nil && exact {
            throw ValidationError("--sample-fps already searches every analysed frame in full; drop --exact")
        }
    }

    func run() throws {
        common.apply()
        Interruption.install()
        let plan, allInputs: [(item: CorpusItem, outputs: AnalysisOutputs)]
        let selectedShard: Shard?
        do {
            selectedShard = try shard.map { $0 == "auto" ? try Shard.fromScheduler(environment: ProcessInfo.processInfo.environment, shards: shards) : try Shard(argument: $0) }
        } catch {
            fail(error)
            throw ExitCode.validationFailure
        }
        do {
            let listContents = try lists.map { list -> (name: String, text: String) in
                let data = list == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: list)
                guard let data else { throw CorpusError("\(list): expected a list of inputs, found no readable file") }
                return (list, String(decoding: data, as: UTF8.self))
            }
            let items = source.namesDevices ? inputs.map { CorpusItem.stream($0, format: source.format) }
                : try CorpusInputs.discover(arguments: inputs, listContents: listContents, excluding: output)
            guard items.contains(where: { $0.isStream || FileManager.default.fileExists(atPath: $0.input) }) else {
                let named = (inputs + lists.map { "--from-list \($0)" }).joined(separator: ", ")
                guard !items.isEmpty else { throw CorpusError("expected video or image files, found none in \(named)") }
                for item in items.dropLast() { fail("\(item.input): expected a video or image file or a folder, found nothing at this path") }
                throw CorpusError("\(items.last!.input): expected a video or image file or a folder, found nothing at this path")
            }
            if items.count > 1, let single = [("--csv", csv), ("--json", json), ("--ndjson", ndjson), ("--overlay=FILE", overlayFile)].first(where: { $0.1 != nil }) {
                fail("\(single.0) names one file, but the inputs hold \(items.count) files; use -o DIR")
                throw ExitCode.validationFailure
            }
            allInputs = items.map { ($0, outputs(for: $0)) }
            plan = selectedShard?.select(allInputs) ?? allInputs
        } catch let error as CorpusError {
            fail(error)
            throw ExitCode(Self.exitNoInput)
        }
        let analyzer: EmotionAnalyzer
        do {
            let interval = fullDetectionEvery.flatMap(DetectionInterval.init(argument:)) ?? (sampleFPS == nil ? .standard : .everyFrame)
            let mode: SearchMode = exact ? .exact : .tracking(fullDetectionEvery: interval)
            analyzer = try EmotionAnalyzer(classifier: try profile.loadClassifier(modelPath: model, margin: margin),
                                           detector: try detection.makeDetector(mode: mode), threads: threads, alignFaces: align)
            // Every shard checks the whole list, so that two shards never write one file.
            try AnalysisOutputs.checkClashes(allInputs.map { ($0.item.input, $0.outputs) })
            if let output, !dryRun { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        } catch let error as CocoaError {
            throw fail(OutputError.cannotWrite(path: output ?? "", reason: "the folder cannot be created (\(error.localizedDescription))"))
        } catch {
            throw fail(error)
        }
        if dryRun {
            let runner = BatchRunner(analyzer: analyzer, options: .init(sampling: sampleFPS.map(FrameSampling.init), source: source.sourceOptions))
            for (item, outputs) in plan {
                let skip = existing == .skipDone && runner.finishedAnalysis(of: item, outputs: outputs) != nil
                print((skip ? "skip" : "analyse") + "\t" + item.input)
            }
            return
        }
        // One file named on its own is not a batch: it gets its outputs, not a manifest of one row.
        let isBatch = plan.count > 1 || !lists.isEmpty || selectedShard != nil || inputs.contains(where: CorpusInputs.isFolder)
        let manifestPath = manifest ?? (isBatch ? output.map { CorpusInputs.join($0, BatchManifest.fileName(shard: selectedShard)) } : nil)
        let runner = BatchRunner(analyzer: analyzer, options: .init(sampling: sampleFPS.map(FrameSampling.init), skipDone: existing == .skipDone,
                                                                    outputFolder: output, source: source.sourceOptions))
        // Machine-readable stdout (NDJSON, JSON lines, a video) sends the human tables to stderr.
        let tablesToStderr = progress == .jsonl || ndjson == "-" || overlayFile == OverlayVideoSink.standardOutput
        var endedLive = false
        var progressLine: ProgressLine?
        let records: [BatchRecord]
        do {
            records = try runner.run(plan, manifest: manifestPath.map { BatchManifestFile(path: $0, labels: analyzer.labels) },
                                     cancellation: Interruption.cancellation,
                                     progress: { done, total in progressLine?.update(done: done, total: total) }) { event in
                switch event {
                case let .starting(item):
                    progressLine = ProgressLine(label: (item.input as NSString).lastPathComponent,
                                                enabled: !quiet && progress != .none && isatty(STDERR_FILENO) == 1)
                case let .opened(item, description):
                    guard description.isLive else { break }
                    Interruption.liveCaptureStarted()
                    endedLive = true
                    if !quiet {
                        FileHandle.standardError.write(Data("facemood: \(FileFrameSource.displayName(item.input)): live\(source.duration.map { " for \($0) s" } ?? ""); Ctrl-C ends the capture and keeps its outputs\n".utf8))
                    }
                case let .note(notice):
                    if !quiet { FileHandle.standardError.write(Data("facemood: note: \(notice)\n".utf8)) }
                case let .finished(record, summary):
                    progressLine?.finish()
                    report(record, summary: summary, labels: analyzer.labels, tablesToStderr: tablesToStderr)
                }
            }
        } catch {
            progressLine?.finish()
            if !(error is CancellationError) { fail(error) }
            throw ExitCode(Interruption.signal != nil || error is CancellationError ? Interruption.exitCode() : 1)
        }
        if endedLive, let signal = Interruption.signal, !quiet {
            FileHandle.standardError.write(Data("facemood: the capture ended on signal \(signal); its outputs are complete\n".utf8))
        }
        let failures = records.filter { $0.status == .failed }.map { FileFrameSource.displayName($0.input) }
        if !quiet && records.count > 1 {
            let skipped = records.filter { $0.status == .skipped }.count
            FileHandle.standardError.write(Data("facemood: \(records.count - skipped - failures.count) analysed, \(skipped) skipped, \(failures.count) failed\(manifestPath.map { "; manifest \($0)" } ?? "")\n".utf8))
        }
        if !failures.isEmpty {
            throw fail("\(failures.count) of \(records.count) input\(records.count == 1 ? "" : "s") failed: " + failures.joined(separator: ", "))
        }
    }

    private func report(_ record: BatchRecord, summary: EmotionSummary?, labels: [String], tablesToStderr: Bool) {
        let name = FileFrameSource.displayName(record.input)
        if progress == .jsonl {
            // Unbuffered, so that a consumer sees each input as it ends (the tables go to stderr meanwhile).
            FileHandle.standardOutput.write(Data((BatchManifest.jsonLine(record, labels: labels) + "\n").utf8))
        }
        switch record.status {
        case .failed:
            fail(CommandFailure(record.error ?? "\(name): failed"))
        case .skipped:
            if !quiet { FileHandle.standardError.write(Data("facemood: \(name): skipped, its outputs are complete (--skip-done)\n".utf8)) }
        case .done:
            guard !quiet, let summary else { return }
            var table = summary.table(title: name)
            if !record.outputs.paths.isEmpty { table += "\n  wrote " + record.outputs.paths.joined(separator: ", ") }
            if tablesToStderr {
                FileHandle.standardError.write(Data((table + "\n").utf8))
            } else {
                print(table)
            }
        }
    }

    private func outputs(for item: CorpusItem) -> AnalysisOutputs {
        let base = item.outputBase(folder: output)
        var outputs = AnalysisOutputs.defaults(base: base)
        if let csv { outputs.csv = csv }
        if let json { outputs.json = json }
        if noCSV { outputs.csv = nil }
        if noJSON { outputs.json = nil }
        outputs.ndjson = ndjson
        outputs.smoothing = smooth.map(TimelineSmoothing.init(window:))
        if plot { outputs.plot = AnalysisOutputs.defaultPlot(base: base) }
        if preview { outputs.previewTitle = "facemood: " + FileFrameSource.displayName(item.input) }
        if overlay || overlayFile != nil {
            outputs.overlay = overlayFile ?? AnalysisOutputs.defaultOverlay(base: base)
            outputs.overlayOptions = VideoWriterOptions(crf: crf, preset: preset)
        }
        return outputs
    }
}


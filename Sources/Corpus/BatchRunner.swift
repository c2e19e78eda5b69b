import FaceMood
import Foundation
import TimelineOutputs

/// Analyses a list of inputs one after another with one analyzer: each input's outputs committed together
/// or not at all, one failing input recorded and the next one started, a manifest row per input.
public final class BatchRunner {
    public struct Options {
        /// Analyse only frames nearest to this grid (see `SampledFrameSource`).
        public var sampling: FrameSampling?
        /// Skip an input whose outputs exist and whose JSON records the same input and settings.
        public var skipDone = false
        /// The folder outputs are mirrored under: the folders between it and an input's outputs are created
        /// when the input is analysed (and removed again if it fails and they stayed empty).
        public var outputFolder: String?
        /// How each input is opened (a capture device, live semantics, a duration).
        public var source: FileFrameSource.Options
        public init(sampling: FrameSampling? = nil, skipDone: Bool = false, outputFolder: String? = nil,
                    source: FileFrameSource.Options = FileFrameSource.Options()) {
            self.sampling = sampling
            self.skipDone = skipDone
            self.outputFolder = outputFolder
            self.source = source
        }
    }

    /// What the caller hears while the batch runs.
    public enum Event {
        /// An input is about to be checked and analysed.
        case starting(CorpusItem)
        /// An input was opened and its analysis starts (a live one ends by `Cancellation.interrupt()`).
        case opened(CorpusItem, SourceDescription)
        /// Something the user should know that is not an error (an input analysed again, and why).
        case note(String)
        /// An input ended; `summary` is the full summary when it was analysed now.
        case finished(BatchRecord, EmotionSummary?)
    }

    public let analyzer: EmotionAnalyzer
    public let options: Options
    public init(analyzer: EmotionAnalyzer, options: Options) {
        self.analyzer = analyzer
        self.options = options
    }

    /// Runs `plan` in order, writing `manifest` (when given) as inputs end and committing it at the end.
    /// Throws `CancellationError` when `cancellation` fires (the current input's outputs and the manifest are
    /// discarded); otherwise returns every input's record.
    public func run(_ plan: [(item: CorpusItem, outputs: AnalysisOutputs)], manifest: BatchManifestFile? = nil,
                    cancellation: Cancellation = Cancellation(), progress: EmotionAnalyzer.Progress? = nil,
                    event: @escaping (Event) -> Void = { _ in }) throws -> [BatchRecord] {
        var records: [BatchRecord] = []
        do {
            try manifest?.start()
            for (item, outputs) in plan {
                if cancellation.isCancelled { throw CancellationError() }
                event(.starting(item))
                let started = Date()
                let outcome = try analyze(item, outputs: outputs, cancellation: cancellation, progress: progress, event: event)
                var timed = BatchRecord(input: item.input, status: .done, outputs: outputs, seconds: Date().timeIntervalSince(started))
                var summary: EmotionSummary?
                switch outcome {
                case let .done(full):
                    timed.summary = ManifestSummary(full)
                    summary = full
                case let .skipped(recorded):
                    timed.status = .skipped
                    timed.summary = recorded.summary
                case let .failed(error):
                    timed.status = .failed
                    timed.error = error
                }
                try manifest?.append(timed)
                records.append(timed)
                event(.finished(timed, summary))
            }
            try manifest?.commit()
        } catch {
            manifest?.discard()
            throw error
        }
        return records
    }

    /// The record of `item`'s finished analysis when every output exists and its JSON records the same input
    /// and settings; nil otherwise, with the reason given to `note` when outputs exist that do not qualify.
    public func finishedAnalysis(of item: CorpusItem, outputs: AnalysisOutputs, note: (String) -> Void = { _ in }) -> RecordedAnalysis? {
        guard let json = outputs.json else { return nil }
        let missing = outputs.paths.filter { !FileManager.default.fileExists(atPath: $0) }
        guard missing.isEmpty else {
            if missing.count < outputs.paths.count { note("\(item.input): analysing again: \(missing.joined(separator: ", ")) missing") }
            return nil
        }
        do {
            let recorded = try RecordedAnalysis(jsonFile: json, labels: analyzer.labels)
            // The members a finished input's JSON must record for `skipDone` to skip it.
            let settings = JSONTimelineSink.settings(model: analyzer.modelDescription, detector: analyzer.detector.settings,
                                                     sampling: options.sampling, smoothing: outputs.smoothing)
            if let mismatch = recorded.mismatch(input: item.input, settings: settings) {
                note("\(item.input): analysing again: \(json): \(mismatch)")
                return nil
            }
            return recorded
        } catch {
            note("\(item.input): analysing again: \(error)")
            return nil
        }
    }

    private enum Outcome {
        case done(EmotionSummary)
        case skipped(RecordedAnalysis)
        case failed(String)
    }

    private func analyze(_ item: CorpusItem, outputs: AnalysisOutputs, cancellation: Cancellation, progress: EmotionAnalyzer.Progress?,
                         event: @escaping (Event) -> Void) throws -> Outcome {
        if options.skipDone, let recorded = finishedAnalysis(of: item, outputs: outputs, note: { event(.note($0)) }) {
            return .skipped(recorded)
        }
        var createdFolders: [String] = []
        do {
            var source: any FrameSource = try FileFrameSource(path: item.input, options: options.source)
            if let sampling = options.sampling { source = try SampledFrameSource(base: source, sampling: sampling) }
            if let root = options.outputFolder { try Self.createFolders(for: outputs.paths, under: root, created: &createdFolders) }
            // Closing the preview ends a live capture (as Ctrl-C does); a file's analysis goes on without it.
            let isLive = source.sourceDescription.isLive
            let sinks = try outputs.makeSinks(notify: { event(.note($0)) }, previewClosed: { if isLive { cancellation.interrupt() } })
            event(.opened(item, source.sourceDescription))
            return .done(try analyzer.run(source: source, sinks: sinks, cancellation: cancellation, progress: progress))
        } catch {
            // The folders an input that failed created go again, when nothing else was put in them.
            for folder in createdFolders.reversed() { rmdir(folder) }
            if error is CancellationError { throw error }
            return .failed("\(error)")
        }
    }

    /// Creates the missing folders of each of `paths` under `root` (the mirrored tree, and `root` itself), adding
    /// each to `created`.
    static func createFolders(for paths: [String], under root: String, created: inout [String]) throws {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        for path in paths where path.hasPrefix(prefix) {
            var missing: [String] = []
            var folder = (path as NSString).deletingLastPathComponent
            while !folder.isEmpty && folder != "/" && !FileManager.default.fileExists(atPath: folder) {
                missing.append(folder)
                folder = (folder as NSString).deletingLastPathComponent
            }
            for folder in missing.reversed() {
                guard mkdir(folder, 0o777) == 0 || errno == EEXIST else {
                    throw OutputError.cannotWrite(path: path, reason: "the folder \(folder) cannot be created (\(String(cString: strerror(errno))))")
                }
                created.append(folder)
            }
        }
    }
}
/// A manifest written as inputs end, under a temporary name until the batch ends.
public final class BatchManifestFile {
    public let path: String
    let labels: [String]
    private var file: AtomicTextFile?

    public init(path: String, labels: [String]) {
        self.path = path
        self.labels = labels
    }

    func start() throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        file = try AtomicTextFile(destination: path)
        try file?.write(CSV.line(BatchManifest.header(labels: labels)) + "\n")
    }

    func append(_ record: BatchRecord) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try file?.write(CSV.line(BatchManifest.fields(record, labels: labels, folder: folder.isEmpty ? "." : folder)) + "\n")
    }

    func commit() throws {
        try file?.commit()
        file = nil
    }

    func discard() {
        file?.discard()
        file = nil
    }
}

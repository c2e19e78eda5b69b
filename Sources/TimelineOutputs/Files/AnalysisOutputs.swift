import FaceMood
import Foundation
import VideoIO

/// The overlay encoder's settings (crf, preset).
public typealias VideoWriterOptions = VideoWriter.Options

/// Where one input's outputs go; nil skips that output.
public struct AnalysisOutputs: Sendable, Equatable {
    public var csv: String?
    public var json: String?
    /// The annotated video (box, label, probability bars), with the source's timing and audio.
    public var overlay: String?
    public var overlayOptions = VideoWriter.Options()
    /// One JSON object per frame and line; `-` is standard output.
    public var ndjson: String?
    /// Show the overlay in a window as frames are analysed, with this title.
    public var previewTitle: String?
    /// The SVG chart of the timeline (`TimelinePlot`).
    public var plot: String?
    /// Smoothed values beside the raw ones in the CSV, JSON and NDJSON timelines.
    public var smoothing: TimelineSmoothing?

    public init(csv: String?, json: String?, overlay: String? = nil) {
        self.csv = csv
        self.json = json
        self.overlay = overlay
    }

    /// The sinks that write these outputs, files under temporary names until the run commits them.
    /// `notify` hears what the user should know that is not an error (the overlay's audio re-encoded);
    /// `previewClosed` hears that the user closed the preview window.
    public func makeSinks(notify: @escaping (String) -> Void = { _ in }, previewClosed: @escaping () -> Void = {}) throws -> [any TimelineSink] {
        var sinks: [any TimelineSink] = []
        if let previewTitle { sinks.append(PreviewWindowSink(title: previewTitle, closed: previewClosed)) }
        // The order is the commit order: the JSON, which a resumed run reads as the record of a finished
        // analysis, comes after the CSV and the overlay, so a run killed between commits looks unfinished.
        if let overlay { sinks.append(OverlayVideoSink(destination: overlay, options: overlayOptions, notify: notify)) }
        if let csv { sinks.append(CSVTimelineSink(output: try AtomicTextFile(destination: csv), smoothing: smoothing)) }
        if let plot { sinks.append(PlotSink(destination: plot)) }
        if let json { sinks.append(JSONTimelineSink(output: try AtomicTextFile(destination: json), smoothing: smoothing)) }
        if let ndjson {
            sinks.append(NDJSONTimelineSink(output: ndjson == OverlayVideoSink.standardOutput ? StandardOutputText() : try AtomicTextFile(destination: ndjson),
                                            smoothing: smoothing))
        }
        return sinks
    }

    /// The files written (standard output, `-`, is not one).
    public var paths: [String] { [csv, json, overlay, ndjson, plot].compactMap { $0 }.filter { $0 != OverlayVideoSink.standardOutput } }

    /// `<base>.overlay.mp4`; `Corpus.CorpusItem.outputBase` says where the base lies.
    public static func defaultOverlay(base: String) -> String { base + ".overlay.mp4" }

    /// `<base>.emotions.svg`.
    public static func defaultPlot(base: String) -> String { base + ".emotions.svg" }

    /// `<base>.emotions.csv` and `<base>.emotions.json`.
    public static func defaults(base: String) -> AnalysisOutputs {
        AnalysisOutputs(csv: base + ".emotions.csv", json: base + ".emotions.json")
    }

    /// Refuses, before anything is written, a run in which two outputs share a path, an output is one of the
    /// inputs, or two inputs would write the same output. Paths are compared after resolving `.`, `..` and
    /// symbolic links, so different spellings of one file are caught too.
    public static func checkClashes(_ plan: [(input: String, outputs: AnalysisOutputs)]) throws {
        var inputs: [String: String] = [:]
        for entry in plan { inputs[canonical(entry.input)] = entry.input }
        var writers: [String: (input: String, path: String)] = [:]
        for (input, outputs) in plan {
            for path in outputs.paths {
                let key = canonical(path)
                if let clashing = inputs[key] {
                    throw OutputError.clash("\(path): expected an output path that is not an input, found the input \(clashing); choose another name or -o DIR")
                }
                if let earlier = writers[key] {
                    let how = earlier.input == input
                        ? "two outputs of \(input) (\(earlier.path) and \(path)); give them different names"
                        : "the outputs of both \(earlier.input) and \(input); rename one input or analyse them into different -o folders"
                    throw OutputError.clash("\(path): expected one output per path, found \(how)")
                }
                writers[key] = (input, path)
            }
        }
    }

    /// The absolute path with the folder's symbolic links resolved (the file itself may not exist yet).
    package static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if let resolved = realpath(url.path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let folder = url.deletingLastPathComponent().path
        guard let resolvedFolder = realpath(folder, nil) else { return url.path }
        defer { free(resolvedFolder) }
        return URL(fileURLWithPath: String(cString: resolvedFolder)).appendingPathComponent(url.lastPathComponent).path
    }
}

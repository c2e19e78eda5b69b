import ArgumentParser
import Corpus
import FaceMood
import Foundation
import TimelineOutputs

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute the emotion summary of timelines written by analyze (CSV or JSON): one video's table, or a corpus table.",
        discussion: """
            One timeline prints its full table. Several timelines, folders (their *.emotions.json, else *.emotions.csv) or \\
            manifests (facemood-batch*.csv: the timelines of inputs done or skipped) print one row per video and a total \\
            row, in which shares of face time are weighted by each video's face time.
            """
    )

    @Argument(help: "Timelines (.emotions.csv or .emotions.json), folders or manifests.")
    var timelines: [String]

    @Flag(help: "Print the summary as JSON (the \"summary\" object of the JSON timeline); one timeline only.")
    var json = false

    @Flag(help: "Summarise the smoothed emotions and probabilities (timelines written with analyze --smooth T).")
    var smoothed = false

    @Option(help: ArgumentHelp("Write the corpus table as CSV (a row per video, then the total row); '-' is stdout.", valueName: "file"))
    var csv: String?

    func validate() throws {
        if json && (timelines.count > 1 || csv != nil) {
            throw ValidationError("--json prints one timeline's summary; for several use --csv FILE")
        }
    }

    func run() throws {
        do {
            let files = try TimelineDiscovery.timelines(in: timelines)
            let single = timelines.count == 1 && files == timelines
            if single && csv == nil {
                let summary = try TimelineReader.summary(ofFile: files[0], smoothed: smoothed)
                print(json ? summary.json() : summary.table(title: files[0]))
                return
            }
            guard !files.isEmpty else {
                fail("expected timelines, found none in \(timelines.joined(separator: ", "))")
                throw ExitCode(Analyze.exitNoInput)
            }
            let corpus = try CorpusSummary(timelines: files, smoothed: smoothed)
            if let csv {
                if csv == "-" {
                    print(corpus.csvText(), terminator: "")
                } else {
                    try AtomicTextFile.write(corpus.csvText(), to: csv)
                }
            }
            if csv != "-" { print(corpus.table()) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine shard manifests (facemood-batch-I-of-N.csv) into one, rows in the batch's input order."
    )

    @Argument(help: "Manifests written by analyze --shard.")
    var manifests: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The merged manifest (default: stdout).", valueName: "file"))
    var output: String?

    func run() throws {
        do {
            let text = try BatchManifest.merge(manifests).text()
            guard let output else {
                print(text, terminator: "")
                return
            }
            try AtomicTextFile.write(text, to: output)
        } catch {
            throw fail(error)
        }
    }
}

extension CorpusSummary {
    /// The corpus table: a row per video, then the total.
    func table() -> String {
        let names = videos.map(\.timeline) + ["total"]
        let width = min(60, max(8, names.map(\.count).max() ?? 0))
        let labelWidth = max(7, labels.map(\.count).max() ?? 0)
        func row(_ name: String, _ summary: EmotionSummary) -> String {
            let shown = name.count > width ? "…" + name.suffix(width - 1) : name
            return shown.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %8d  %10.3f  %6.1f%%  %10.3f  ", summary.frames, summary.duration, summary.faceRatio * 100, summary.faceSeconds)
                + (summary.dominantEmotion ?? "-").padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                + labels.indices.map { String(format: "  %6.1f%%", summary.shareOfFaceTime($0) * 100) }.joined()
        }
        let header = "timeline".padding(toLength: width, withPad: " ", startingAt: 0) + "    frames  duration_s    face      face_s  "
            + "dominant".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            + labels.map { "  " + String($0.prefix(7)).leftPadded(to: 7) }.joined()
        return ([header] + videos.map { row($0.timeline, $0.summary) } + [row("total", total)]).joined(separator: "\n")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

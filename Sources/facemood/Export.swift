import ArgumentParser
import FaceMood
import Foundation
import TimelineExports
import TimelineOutputs

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a timeline written by analyze (CSV or JSON) for ELAN, BORIS, a video player (WebVTT), py-feat or OpenFace tools.",
        discussion: """
            elan: EAF 3.0, a tier of dominant-emotion annotations (and one of the smoothed emotion when the timeline has it). \\
            boris: tab-separated START/STOP events of the subject 'face', and <name>-data.csv, the probabilities as external data. \\
            webvtt: the emotion and its confidence as subtitles. pyfeat: a Fex CSV for feat.utils.io.read_feat. \\
            openface: frame, face_id, timestamp, confidence, success, the box and the emotion columns.
            """
    )

    @Argument(help: "A timeline (.emotions.csv or .emotions.json).")
    var timeline: String

    @Option(name: .customLong("to"), help: ArgumentHelp("The format: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var format: ExportFormat

    @Option(name: .shortAndLong, help: ArgumentHelp("The file (default: beside the timeline, <stem>.eaf, .boris.tsv, .vtt, .pyfeat.csv or .openface.csv; - is stdout).", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The video the export links to (default: the input the JSON timeline records).", valueName: "file"))
    var media: String?

    func run() throws {
        do {
            var exporter: (any TimelineExporter)?
            try TimelineReader.read(file: timeline) { head in
                exporter = try format.exporter(head: head, media: media ?? head.input.map { FileFrameSource.displayName($0) })
            } row: { row in
                try exporter?.add(row)
            }
            guard let files = try exporter?.finish() else { return }
            let destination = output ?? Self.stem(of: timeline) + format.fileSuffix
            if destination == "-" {
                for (suffix, text) in files where suffix.isEmpty { print(text, terminator: "") }
                return
            }
            let paths = files.map { Self.path(destination, suffix: $0.suffix) }
            try AnalysisOutputs.checkClashes([(timeline, AnalysisOutputs(csv: paths.first, json: paths.count > 1 ? paths[1] : nil))])
            // All files appear together or none does.
            let written = try zip(paths, files).map { path, file -> AtomicTextFile in
                let output = try AtomicTextFile(destination: path)
                try output.write(file.text)
                try output.finish()
                return output
            }
            for file in written { try file.commit() }
        } catch {
            throw fail(error)
        }
    }

    /// `talk.emotions.json` → `talk`.
    static func stem(of timeline: String) -> String {
        var stem = (timeline as NSString).deletingPathExtension
        if stem.hasSuffix(".emotions") { stem.removeLast(".emotions".count) }
        return stem
    }

    /// A companion file's path: `x.boris.tsv` with `-data.csv` → `x.boris-data.csv`.
    static func path(_ destination: String, suffix: String) -> String {
        suffix.isEmpty ? destination : (destination as NSString).deletingPathExtension + suffix
    }
}

extension ExportFormat: ExpressibleByArgument {}

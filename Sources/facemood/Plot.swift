import ArgumentParser
import FaceMood
import Foundation
import TimelineOutputs

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a timeline written by analyze (CSV or JSON) as an SVG chart: each emotion's probability over time, the dominant emotion as a ribbon, stretches without a face shaded."
    )

    @Argument(help: "A timeline (.emotions.csv or .emotions.json).")
    var timeline: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The SVG file (default: the timeline's name with .svg; - is stdout).", valueName: "file"))
    var output: String?

    @Flag(help: "Plot the smoothed values (a timeline written with analyze --smooth T).")
    var smoothed = false

    func run() throws {
        do {
            var plot: TimelinePlot?
            try TimelineReader.read(file: timeline) { head in
                if smoothed { try head.requireSmoothed(path: timeline) }
                plot = TimelinePlot(labels: head.labels)
            } row: { row in
                plot?.add(row, smoothed: smoothed)
            }
            let name = ((timeline as NSString).lastPathComponent as NSString).deletingPathExtension
            let svg = plot?.svg(title: smoothed ? name + " (smoothed)" : name) ?? ""
            let destination = output ?? (timeline as NSString).deletingPathExtension + ".svg"
            if destination == "-" {
                print(svg, terminator: "")
            } else {
                try AnalysisOutputs.checkClashes([(timeline, AnalysisOutputs(csv: nil, json: nil, overlay: destination))])
                try AtomicTextFile.write(svg, to: destination)
            }
        } catch {
            throw fail(error)
        }
    }
}

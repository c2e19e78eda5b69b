import ArgumentParser
import Corpus
import FaceMood
import Foundation
import TimelineReport

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a static HTML report: an index of the videos (duration, face ratio, dominant emotion, shares, a sparkline; sortable) and a page per video with its video, its timeline chart (click to seek) and its summary.",
        discussion: "Videos are linked, not copied: the overlay beside each timeline when there is one, else the analysed input. The pages need no network and open from file://."
    )

    @Argument(help: "Timelines (.emotions.csv or .emotions.json), folders or manifests.")
    var timelines: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The report's folder (created if missing).", valueName: "dir"))
    var output: String

    func run() throws {
        do {
            let files = try TimelineDiscovery.timelines(in: timelines)
            guard !files.isEmpty else {
                fail("expected timelines, found none in \(timelines.joined(separator: ", "))")
                throw ExitCode(Analyze.exitNoInput)
            }
            let pages = try ReportWriter.write(try files.map(VideoReport.init(timeline:)), to: output)
            print("wrote \(pages[0]) and \(pages.count - 1) video page\(pages.count == 2 ? "" : "s")")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

import ArgumentParser
import FaceMood
import Foundation

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write each video's per-frame emotion timeline (CSV and JSON) and print its emotion summary.",
        discussion: "Outputs default to <folder>/<input stem>.emotions.csv and .emotions.json, the folder being -o or the input's."
    )

    @Argument(help: "Video files (or still images).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder for the timelines (created if missing).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("CSV timeline path (one input only).", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("JSON timeline path (one input only).", valueName: "file"))
    var json: String?

    @Flag(help: "Do not write the CSV timeline.")
    var noCSV = false

    @Flag(help: "Do not write the JSON timeline.")
    var noJSON = false

    @Option(help: ArgumentHelp("Keras HDF5 model (default: the bundled emotion model).", valueName: "file"))
    var model: String?

    @OptionGroup var profile: ProfileOptions

    @OptionGroup var detection: DetectionOptions

    @Option(help: ArgumentHelp("Pixels added around each face before classifying (default: the model's profile).", valueName: "px"))
    var margin: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if inputs.count > 1 && (csv != nil || json != nil) {
            throw ValidationError("--csv and --json name one file each; with several inputs use -o DIR")
        }
        if let margin, margin < 0 { throw ValidationError("--margin expects 0 or more pixels, found \(margin)") }
    }

    func run() throws {
        common.apply()
        OutputFiles.shared.removeOnInterrupt()
        let setup: AnalysisSetup
        do {
            setup = try AnalysisSetup(classifier: try profile.loadClassifier(modelPath: model, margin: margin),
                                      cascade: try detection.loadCascade(), parameters: detection.parameters)
            if let output { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        } catch let error as CocoaError {
            throw fail(OutputError.cannotWrite(path: output ?? "", reason: "the folder cannot be created (\(error.localizedDescription))"))
        } catch {
            throw fail(error)
        }
        var failures: [String] = []
        for input in inputs {
            var outputs = AnalysisOutputs.defaults(for: input, folder: output)
            if let csv { outputs.csv = csv }
            if let json { outputs.json = json }
            if noCSV { outputs.csv = nil }
            if noJSON { outputs.json = nil }
            let progress = ProgressLine(label: URL(fileURLWithPath: input).lastPathComponent, enabled: !quiet && isatty(STDERR_FILENO) == 1)
            do {
                let summary = try VideoAnalysis.run(input: input, outputs: outputs, setup: setup) { done, total in
                    progress.update(done: done, total: total)
                }
                progress.finish()
                if !quiet {
                    let written = [outputs.csv, outputs.json].compactMap { $0 }
                    print(summary.table(title: input))
                    if !written.isEmpty { print("  wrote " + written.joined(separator: ", ")) }
                }
            } catch {
                progress.finish()
                failures.append(input)
                fail(error)
            }
        }
        if !failures.isEmpty {
            throw fail("\(failures.count) of \(inputs.count) input\(inputs.count == 1 ? "" : "s") failed: " + failures.joined(separator: ", "))
        }
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

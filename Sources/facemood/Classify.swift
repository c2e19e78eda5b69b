import ArgumentParser
import FaceMood
import Foundation

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images that are already cropped faces; prints CSV to stdout.",
        discussion: "Columns: path,emotion,confidence, then one probability per label in model order (6 decimals)."
    )

    @Option(help: ArgumentHelp("Keras HDF5 model (default: the bundled emotion model).", valueName: "file"))
    var model: String?

    @OptionGroup var profile: ProfileOptions

    @Option(name: .customLong("from-list"), help: ArgumentHelp("Read image paths, one per line, from a file ('-' for stdin).", valueName: "file"))
    var listFile: String?

    @Argument(help: "Face images.")
    var images: [String] = []

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if images.isEmpty && listFile == nil {
            throw ValidationError("give image paths or --from-list FILE")
        }
    }

    func run() throws {
        common.apply()
        let report: ImageClassificationReport
        var paths = images
        do {
            report = ImageClassificationReport(classifier: try profile.loadClassifier(modelPath: model))
            if let listFile { paths += try readList(listFile) }
        } catch {
            throw fail(error)
        }
        print(report.header)
        var failures = 0
        for path in paths {
            do {
                print(try report.row(for: path))
            } catch {
                failures += 1
                _ = fail(error)
            }
        }
        if failures > 0 {
            throw fail("\(failures) of \(paths.count) image\(paths.count == 1 ? "" : "s") could not be classified")
        }
    }

    private func readList(_ file: String) throws -> [String] {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("\(file): expected a readable list of image paths, found no such file")
            }
            data = contents
        }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

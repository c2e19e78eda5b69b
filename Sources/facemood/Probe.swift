import ArgumentParser
import FaceMood

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what a video file holds: container, codec, size, rotation, frame rate, duration."
    )

    @Argument(help: "A video or image file, - for standard input, a URL, or a device with --input-format.")
    var file: String

    @OptionGroup var source: InputOptions

    @Flag(help: "Print JSON instead of aligned text.")
    var json = false

    @Flag(help: "Decode the whole stream and report the true frame count and first and last timestamps.")
    var count = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        do {
            let report = try ProbeReport(source: try FileFrameSource(path: file, options: source.sourceOptions), countFrames: count)
            print(json ? try report.json() : report.text())
        } catch {
            throw fail(error)
        }
    }
}

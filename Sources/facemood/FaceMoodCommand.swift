import ArgumentParser
import FaceMood
import Foundation
import VideoIO

@main
struct FaceMoodCommand: ParsableCommand {
    /// `--overlay=FILE` and `--overlay -` (stdout) are spelled `--overlay-file FILE` to the parser, so that
    /// `--overlay` alone stays a flag.
    static func main() {
        FrameBufferAllocation.keepFreedBuffers()
        var arguments: [String] = []
        for argument in CommandLine.arguments.dropFirst() {
            if argument.hasPrefix("--overlay=") {
                arguments += ["--overlay-file", String(argument.dropFirst("--overlay=".count))]
            } else if argument == "-" && arguments.last == "--overlay" {
                arguments[arguments.count - 1] = "--overlay-file"
                arguments.append(argument)
            } else {
                arguments.append(argument)
            }
        }
        main(arguments)
    }

    static let configuration = CommandConfiguration(
        commandName: "facemood",
        abstract: "Annotate video files with facial emotion, frame by frame, offline.",
        version: FaceMoodTool.version,
        subcommands: [Analyze.self, Summarize.self, Merge.self, Plot.self, Export.self, Report.self, Probe.self, Detect.self, ModelInfo.self, Classify.self]
    )
}

struct CommonOptions: ParsableArguments {
    @Flag(help: "Let FFmpeg print its own warnings and information to stderr.")
    var verbose = false

    func apply() {
        FFmpegLog.configure(verbose: verbose)
    }
}

/// Prints the one-line error users see and turns it into a failing exit code.
@discardableResult
func fail(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("facemood: \(error)\n".utf8))
    return ExitCode.failure
}

@discardableResult
func fail(_ message: String) -> ExitCode {
    fail(CommandFailure(message))
}

/// A failure the command itself detects, with its message as written.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

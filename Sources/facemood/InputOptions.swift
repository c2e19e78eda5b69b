import ArgumentParser
import FaceMood

/// How inputs are opened: capture devices and their options, live semantics, how much to read. Shared by
/// every command that reads video.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("input-format"), help: ArgumentHelp("Open the input with this demuxer or capture device: v4l2 (a camera, /dev/video0), x11grab (a screen, :0.0), lavfi (a filter graph), mpegts… (default: probe the input).", valueName: "name"))
    var format: String?

    @Option(name: .customLong("input-option"), help: ArgumentHelp("An option of the input format, device or protocol, such as video_size=640x480, framerate=30, pixel_format=yuyv422 or fflags=nobuffer; repeatable.", valueName: "key=value"))
    var options: [String] = []

    @Flag(inversion: .prefixedNo, help: "Treat the input as live (default: capture devices and network streams of unknown length are): the newest frame is analysed whenever the analysis is free, frames it could not take are dropped and counted, and Ctrl-C or SIGTERM ends the capture with its outputs complete.")
    var live: Bool?

    @Option(help: ArgumentHelp("Read only this many seconds of video from the first frame (a live capture then ends by itself).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("Fail when a network stream or a device sends nothing for this many seconds, opening included (default 15; files and pipes wait).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let unparsable = options.first(where: { InputOption(argument: $0) == nil }) {
            throw ValidationError("--input-option expects key=value, found '\(unparsable)'")
        }
        if let duration, !FileFrameSource.Options.durationRange.contains(duration) {
            throw ValidationError("--duration expects \(FileFrameSource.Options.durationRange.lowerBound) seconds to a year, found \(duration)")
        }
        if let timeout, !InputSettings.timeoutRange.contains(timeout) {
            throw ValidationError("--timeout expects \(InputSettings.timeoutRange.lowerBound) to \(Int(InputSettings.timeoutRange.upperBound)) seconds, found \(timeout)")
        }
    }

    var sourceOptions: FileFrameSource.Options {
        FileFrameSource.Options(input: InputSettings(format: format, options: options.compactMap(InputOption.init(argument:)), timeout: timeout),
                                live: live, duration: duration)
    }

    /// Whether the inputs are devices or filter graphs rather than files to look for.
    var namesDevices: Bool { format != nil }
}

import Foundation
import Testing

/// The built `facemood` binary, run as users run it: exit codes, the one stderr line, files left behind.
enum FaceMoodBinary {
    static var path: String {
        // The test runner sits in the build folder beside the executable.
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("facemood").path
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// `environment`: variables added to this process's own.
    static func run(_ arguments: [String], interruptAfter: Double? = nil, standardInput: String? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let standardInput { process.standardInput = FileHandle(forReadingAtPath: standardInput) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            process.interrupt()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func files(in folder: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    }
}

@Suite(.serialized) struct CommandLineTests {
    /// libavdevice (whose dependencies doubled every command's start-up) is loaded for devices only: not for files,
    /// nor for a demuxer named with --input-format. The loader's own log says which libraries it loaded.
    @Test func libavdeviceIsLoadedForDevicesOnly() throws {
        let folder = try TestPaths.temporaryFolder()
        let video = try TestPaths.repository("samples/media/single_face.mp4")
        func loadsDevices(_ arguments: [String]) throws -> Bool {
            // The log goes to a file of its own (LD_DEBUG_OUTPUT, suffixed with the process id): on stderr it would
            // fill the pipe while the stdout pipe is read.
            let log = try TestPaths.temporaryFolder()
            let result = try FaceMoodBinary.run(arguments + ["-o", folder.path, "--quiet"],
                                                environment: ["LD_DEBUG": "files", "LD_DEBUG_OUTPUT": log.appendingPathComponent("loader").path])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let logs = try FileManager.default.contentsOfDirectory(at: log, includingPropertiesForKeys: nil)
            #expect(!logs.isEmpty, "the loader wrote its log")
            return try logs.contains { try String(contentsOf: $0, encoding: .utf8).contains("libavdevice") }
        }
        #expect(try !loadsDevices(["analyze", video]))
        #expect(try !loadsDevices(["analyze", video, "--input-format", "mp4"]))
        #expect(try loadsDevices(["analyze", "testsrc=size=64x48:rate=5:duration=0.4", "--input-format", "lavfi"]))
    }

    @Test func missingInputFailsWithOneLineAndNoFiles() throws {
        let folder = try TestPaths.temporaryFolder()
        let result = try FaceMoodBinary.run(["analyze", "/nonexistent/clip.mp4", "-o", folder.path])
        #expect(result.status == 66, "no input found")
        #expect(result.stderr == "facemood: /nonexistent/clip.mp4: expected a video or image file or a folder, found nothing at this path\n")
        #expect(FaceMoodBinary.files(in: folder).isEmpty)
    }

    @Test func oneBadInputDoesNotStopTheOthers() throws {
        let folder = try TestPaths.temporaryFolder()
        let good = try TestPaths.repository("samples/media/single_face.jpg")
        let text = try TestPaths.repository("samples/generated/text.mp4")
        let audio = try TestPaths.repository("samples/generated/audio_only.m4a")
        let result = try FaceMoodBinary.run(["analyze", text, good, audio, "-o", folder.path, "--quiet"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "--quiet prints nothing but errors")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        // Inputs run in byte order (generated/audio_only.m4a, generated/text.mp4, media/single_face.jpg); outputs
        // mirror their paths under the folder the three have in common.
        #expect(lines.count == 3)
        #expect(lines[0] == "facemood: \(audio): expected a video stream, found only audio (aac)")
        #expect(lines[1].hasPrefix("facemood: \(text): expected a video or image file"))
        #expect(lines[2] == "facemood: 2 of 3 inputs failed: \(audio), \(text)")
        #expect(Set(FaceMoodBinary.files(in: folder)) == ["media", "facemood-batch.csv"], "no empty folder for the inputs that failed")
        #expect(Set(FaceMoodBinary.files(in: folder.appendingPathComponent("media"))) == ["single_face.emotions.csv", "single_face.emotions.json"])
    }

    @Test func unwritableOutputFolder() throws {
        let input = try TestPaths.repository("samples/media/single_face.jpg")
        let result = try FaceMoodBinary.run(["analyze", input, "--csv", "/proc/facemood/out.csv", "--no-json"])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").first
            == "facemood: /proc/facemood/out.csv: expected a writable output file, but the folder /proc/facemood does not exist")
        let blocked = try FaceMoodBinary.run(["analyze", input, "-o", "/proc/version/out"])
        #expect(blocked.status != 0)
        #expect(blocked.stderr.split(separator: "\n").count == 1 && blocked.stderr.hasPrefix("facemood: /proc/version/out: expected a writable output file"))
    }

    @Test func truncatedVideoLeavesNoPartialFiles() throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/generated/truncated_data.mp4")
        let result = try FaceMoodBinary.run(["analyze", input, "-o", folder.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("decoding stopped after 33 frames: the file is truncated"))
        #expect(FaceMoodBinary.files(in: folder).isEmpty)
    }

    /// The input is a named pipe that holds a whole video but never ends, so the run is certainly in
    /// progress (its temporary files exist) when the signal arrives, however fast the machine is.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func interruptedRunLeavesNoPartialFiles(signal: Int32) throws {
        let folder = try TestPaths.temporaryFolder()
        let output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let pipePath = folder.appendingPathComponent("live.mkv").path
        #expect(mkfifo(pipePath, 0o600) == 0)
        let video = try Data(contentsOf: URL(fileURLWithPath: try TestPaths.repository("samples/generated/clip.mkv")))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FaceMoodBinary.path)
        process.arguments = ["analyze", pipePath, "-o", output.path, "--overlay"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Opening the pipe for writing waits for the reader; the writer then stays open, so no end of file comes.
        let writer = try #require(FileHandle(forWritingAtPath: pipePath))
        defer { try? writer.close() }
        writer.write(video)
        var waited = 0.0
        while !FaceMoodBinary.files(in: output).contains(where: { $0.contains(".partial") }) && waited < 60 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        #expect(FaceMoodBinary.files(in: output).filter { $0.contains(".partial") }.count == 3, "the run has started its three outputs")
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + signal)
        #expect(stderr.contains("facemood: interrupted; unfinished output files were removed"))
        #expect(FaceMoodBinary.files(in: output).isEmpty, "left behind: \(FaceMoodBinary.files(in: output))")
    }

    @Test func analyzeThenSummarizePrintTheSameTable() throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/media/single_face.mp4")
        let analysis = try FaceMoodBinary.run(["analyze", input, "-o", folder.path])
        #expect(analysis.status == 0)
        let csv = folder.appendingPathComponent("single_face.emotions.csv").path
        let summary = try FaceMoodBinary.run(["summarize", csv])
        #expect(summary.status == 0)
        let tableLines = { (text: String) in text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("  wrote") } }
        #expect(tableLines(analysis.stdout) == tableLines(summary.stdout))
        #expect(analysis.stdout.contains("dominant: happy"))

        let noFace = try FaceMoodBinary.run(["analyze", try TestPaths.repository("samples/media/free-mountain-vector-01.jpg"), "-o", folder.path])
        #expect(noFace.status == 0)
        #expect(noFace.stdout.split(separator: "\n").dropFirst().prefix(2) == ["  1 frames, 0.040 s; a face in 0 frames (0.0%, 0.000 s)", "  no face was found"])
    }

    @Test func fullDetectionIntervalInSecondsUsesTheFrameRate() throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/media/WolfgangLanger_Pexels.mp4")
        func rows(_ interval: String) throws -> String {
            let csv = folder.appendingPathComponent("every-\(interval).csv").path
            #expect(try FaceMoodBinary.run(["analyze", input, "--csv", csv, "--no-json", "--quiet", "--full-detection-every", interval]).status == 0)
            return try String(contentsOfFile: csv, encoding: .utf8)
        }
        // 23.976 frames per second: 0.5 s is 12 frames (11.99), 0.55 s is 13 (13.19); on this clip full
        // detections every 12 and every 13 frames give different rows.
        let twelve = try rows("12"), thirteen = try rows("13")
        #expect(twelve != thirteen)
        #expect(try rows("0.5s") == twelve)
        #expect(try rows("0.55s") == thirteen)
        let refused = try FaceMoodBinary.run(["analyze", input, "-o", folder.path, "--full-detection-every", "0s"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--full-detection-every expects a number of frames (1 to 108000) or of seconds (0.5s), found 0s"))
    }

    @Test func outputsThatWouldOverwriteEachOtherOrAnInputAreRefusedBeforeAnythingIsWritten() throws {
        let folder = try TestPaths.temporaryFolder()
        let video = try TestPaths.repository("samples/media/single_face.mp4")
        let same = folder.appendingPathComponent("x").path
        let twice = try FaceMoodBinary.run(["analyze", video, "--csv", same, "--json", same])
        #expect(twice.status == 1)
        #expect(twice.stderr == "facemood: \(same): expected one output per path, found two outputs of \(video) (\(same) and \(same)); give them different names\n")

        let copy = folder.appendingPathComponent("clip.mp4").path
        try FileManager.default.copyItem(atPath: video, toPath: copy)
        let overInput = try FaceMoodBinary.run(["analyze", copy, "--csv", folder.path + "/./clip.mp4", "--no-json"])
        #expect(overInput.status == 1)
        #expect(overInput.stderr.hasPrefix("facemood: \(folder.path)/./clip.mp4: expected an output path that is not an input, found the input \(copy)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(contentsOf: URL(fileURLWithPath: video)), "the input is untouched")

        let other = folder.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try TestPaths.repository("samples/media/single_face.jpg"), toPath: other.appendingPathComponent("clip.jpg").path)
        let out = folder.appendingPathComponent("out")
        // Files of different folders mirror their folders, so the same name in two folders does not collide...
        let sameStem = try FaceMoodBinary.run(["analyze", copy, other.appendingPathComponent("clip.jpg").path, "-o", out.path, "--quiet"])
        #expect(sameStem.status == 0)
        #expect(Set(FaceMoodBinary.files(in: out)) == ["b", "clip.emotions.csv", "clip.emotions.json", "facemood-batch.csv"])
        // ...but two folders given as roots map their files to the same place.
        let rootA = folder.appendingPathComponent("r1"), rootB = folder.appendingPathComponent("r2")
        for root in [rootA, rootB] {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: video, toPath: root.appendingPathComponent("clip.mp4").path)
        }
        let roots = folder.appendingPathComponent("roots")
        let clash = try FaceMoodBinary.run(["analyze", rootA.path, rootB.path, "-o", roots.path])
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("expected one output per path, found the outputs of both \(rootA.path)/clip.mp4 and \(rootB.path)/clip.mp4"))
        #expect(FaceMoodBinary.files(in: roots).isEmpty)
    }

    @Test(arguments: [
        (["--preset", "nonsense"], "--preset expects one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, found 'nonsense'"),
        (["--overlay=out.avi"], "--overlay=FILE expects a name ending in .mp4, .mov or .mkv, found 'out.avi'"),
        (["--threads", "100000"], "--threads expects 1 to 256, found 100000"),
        (["--margin", "9223372036854775807"], "--margin expects 0 to 8192 pixels, found 9223372036854775807"),
        (["--full-detection-every", "99999999999"], "--full-detection-every expects a number of frames (1 to 108000) or of seconds (0.5s), found 99999999999"),
        (["--scale-factor", "1.0000001"], "--scale-factor expects a number from 1.01 to 10.0, found 1.0000001"),
        (["--scale-factor", "1e300"], "--scale-factor expects a number from 1.01 to 10.0, found 1e+300"),
        (["--scale-factor", "nan"], "--scale-factor expects a number from 1.01 to 10.0, found nan"),
        (["--min-size=-3"], "--min-size and --max-size expect 0 to 65536 pixels, found -3 and 0"),
        (["--detector", "blazeface", "--cascade", "x.xml"], "--cascade sets the Haar cascade, but --detector is blazeface; drop it or use --detector haar"),
        (["--min-score", "0.7"], "--min-score sets BlazeFace's threshold, but --detector is haar; add --detector blazeface or drop it"),
        // An option of the other detector is refused even when it repeats the default value.
        (["--detector", "blazeface", "--scale-factor", "1.1"], "--scale-factor sets the Haar cascade, but --detector is blazeface; drop it or use --detector haar"),
        (["--detector", "blazeface-short", "--max-size", "0"], "--max-size sets the Haar cascade, but --detector is blazeface-short; drop it or use --detector haar"),
        (["--min-score", "0.5"], "--min-score sets BlazeFace's threshold, but --detector is haar; add --detector blazeface or drop it"),
        (["--detector", "blazeface", "--min-score", "1"], "--min-score expects a score between 0 and 1 (exclusive), found 1.0"),
        (["--input-option", "novalue"], "--input-option expects key=value, found 'novalue'"),
        (["--duration", "0"], "--duration expects 0.001 seconds to a year, found 0.0"),
        (["--smooth", "1000"], "--smooth expects 0.001 to 600 seconds, found 1000.0"),
    ])
    func absurdOptionsAreRefusedWithOneLine(arguments: [String], message: String) throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/media/single_face.jpg")
        let result = try FaceMoodBinary.run(["analyze", input, "-o", folder.path] + arguments)
        #expect(result.status == 64, "bad usage")
        #expect(result.stderr.split(separator: "\n").first == "Error: \(message)")
        #expect(FaceMoodBinary.files(in: folder).isEmpty)
    }

    @Test(arguments: [
        ("angry,disgust,fear,happy,sad,surprise,angry", "expected distinct labels, found 'angry' twice"),
        ("frame,disgust,fear,happy,sad,surprise,neutral", "expected labels that are not timeline column names"),
    ])
    func labelsThatWouldBreakTheTimelinesAreRefused(labels: String, message: String) throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/media/single_face.jpg")
        let result = try FaceMoodBinary.run(["analyze", input, "-o", folder.path, "--labels", labels])
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(FaceMoodBinary.files(in: folder).isEmpty)
    }

    @Test func aVideoWithoutFramesIsAnError() throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/generated/no_frames.y4m")
        let result = try FaceMoodBinary.run(["analyze", input, "-o", folder.path])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").first
            == "facemood: \(input): expected at least one video frame, found none (the stream holds no decodable picture)")
        #expect(FaceMoodBinary.files(in: folder).isEmpty)
    }

    /// A disk that fills mid-run, simulated with a file-size limit (writes then fail with EFBIG): one error
    /// line naming the output, exit 1, and nothing left behind — no partial overlay, no timelines, no crash.
    @Test(arguments: [["--overlay"], ["--exact", "--overlay"]])
    func aFullDiskLeavesNothingBehind(options: [String]) throws {
        let folder = try TestPaths.temporaryFolder()
        let input = try TestPaths.repository("samples/media/WolfgangLanger_Pexels.mp4")
        let command = "trap '' XFSZ; ulimit -f 300; exec '\(FaceMoodBinary.path)' analyze '\(input)' -o '\(folder.path)' --quiet "
            + options.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let lines = stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(stderr)")
        #expect(lines.first?.hasPrefix("facemood: \(folder.path)/WolfgangLanger_Pexels.overlay.mp4: ") == true, "\(stderr)")
        #expect(lines.last == "facemood: 1 of 1 input failed: \(input)")
        #expect(FaceMoodBinary.files(in: folder).isEmpty, "left behind: \(FaceMoodBinary.files(in: folder))")
    }

    /// `cat clip.mkv | facemood analyze - --ndjson -`: frames from a pipe, one JSON line per frame on stdout
    /// (the timeline's own frame objects), the table on stderr, and timelines equal to those of the file.
    @Test func standardInputAndNDJSONOnStandardOutput() throws {
        let folder = try TestPaths.temporaryFolder()
        let clip = try TestPaths.repository("samples/generated/clip.mkv")
        let piped = try FaceMoodBinary.run(["analyze", "-", "-o", folder.path, "--ndjson", "-"], standardInput: clip)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stderr.hasPrefix("stdin\n  30 frames"), "the table goes to stderr")
        let lines = piped.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? NSDictionary }
        let timeline = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("stdin.emotions.json"))) as! [String: Any]
        let frames = (timeline["frames"] as! [Any]).map { $0 as? NSDictionary }
        #expect(lines.count == 30 && lines == frames, "one line per frame, each the JSON timeline's frame object")
        let fromFile = try FaceMoodBinary.run(["analyze", clip, "--csv", folder.appendingPathComponent("file.csv").path, "--no-json", "--quiet"])
        #expect(fromFile.status == 0)
        #expect(try timelineRows(csv: folder.appendingPathComponent("stdin.emotions.csv").path)
            == timelineRows(csv: folder.appendingPathComponent("file.csv").path), "a pipe gives the file's rows and times")

        let garbage = folder.appendingPathComponent("garbage.txt").path
        try Data("not a video\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let refused = try FaceMoodBinary.run(["analyze", "-", "-o", folder.path], standardInput: garbage)
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").first == "facemood: stdin: expected a video or image file, but FFmpeg cannot open it: Invalid data found when processing input")
    }
}

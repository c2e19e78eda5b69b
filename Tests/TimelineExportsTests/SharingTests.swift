import Foundation
import Testing
@testable import FaceMood
@testable import TimelineExports
@testable import TimelineOutputs
@testable import TimelineReport

/// Smoothing, the plot, the exports and the report, on timelines analysed from the sample videos.
enum Shared {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func repository(_ relative: String) throws -> String {
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else { throw SetupError("\(relative) is missing: run 'make test'") }
        return path
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-sharing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func analyzer() throws -> EmotionAnalyzer {
        let classifier = try EmotionClassifier(modelPath: try repository("models/emotion_model.hdf5"))
        let cascade = try HaarCascade(path: try repository("models/haarcascade_frontalface_default.xml"))
        return try EmotionAnalyzer(classifier: classifier, detector: try HaarFaceDetector(cascade: cascade, mode: .tracking(fullDetectionEvery: .standard)),
                                   threads: 2)
    }

    /// Analyses `video` into `<folder>/<stem>.emotions.csv` and `.json`, with `smoothing` if given.
    @discardableResult
    static func analyze(_ video: String, into folder: URL, smoothing: TimelineSmoothing? = nil, suffix: String = "") throws -> AnalysisOutputs {
        let stem = folder.appendingPathComponent(URL(fileURLWithPath: video).deletingPathExtension().lastPathComponent + suffix).path
        var outputs = AnalysisOutputs.defaults(base: stem)
        outputs.smoothing = smoothing
        _ = try analyzer().run(source: try FileFrameSource(path: try repository(video)), sinks: try outputs.makeSinks())
        return outputs
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}

@Suite struct SmoothingTests {
    /// The definition, computed directly from the rows as written: for each row, the duration-weighted mean of
    /// the face rows within T/2.
    static func expected(_ rows: [TimelineRow], labels: [String], window: Double) -> [SmoothedValues?] {
        rows.map { row in
            var sums = [Double](repeating: 0, count: labels.count), weight = 0.0
            for other in rows where abs(other.time - row.time) <= window / 2 + 1e-12 {
                guard let probabilities = other.probabilities else { continue }
                for index in labels.indices { sums[index] += probabilities[index] * other.duration }
                weight += other.duration
            }
            guard weight > 0 else { return nil }
            let means = sums.map { $0 / weight }
            return SmoothedValues(emotion: labels[means.indices.max { means[$0] < means[$1] || (means[$0] == means[$1] && $0 > $1) }!], probabilities: means)
        }
    }

    @Test(arguments: [("samples/media/face_noface.mov", 0.5), ("samples/media/face_noface.mov", 2.0), ("samples/generated/vfr.mp4", 0.4)])
    func smoothedValuesFollowTheDefinitionAndKeepTheRawOnes(video: String, window: Double) throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try Shared.analyze(video, into: folder)
        let smoothed = try Shared.analyze(video, into: folder, smoothing: TimelineSmoothing(window: window), suffix: "-smoothed")
        let (labels, rows) = try TimelineReader.read(file: smoothed.csv!)
        let raw = try TimelineReader.read(file: plain.csv!).rows
        // The raw values are the same as without smoothing.
        #expect(rows.map { var row = $0; row.smoothed = nil; return row } == raw)
        let expected = Self.expected(rows, labels: labels, window: window)
        for (row, want) in zip(rows, expected) {
            #expect((row.smoothed == nil) == (want == nil), "frame \(row.frame): smoothed \(String(describing: row.smoothed))")
            guard let got = row.smoothed, let want else { continue }
            for index in labels.indices {
                #expect(abs(got.probabilities[index] - want.probabilities[index]) <= 1e-6, "frame \(row.frame) \(labels[index])")
            }
            let sorted = want.probabilities.sorted(by: >)
            if sorted[0] - sorted[1] > 1e-5 { #expect(got.emotion == want.emotion, "frame \(row.frame)") }
        }
        // The JSON holds the same smoothed values as the CSV.
        #expect(try TimelineReader.read(file: smoothed.json!).rows.map(\.smoothed) == rows.map(\.smoothed))
        if video.hasSuffix("face_noface.mov") && window < 1 {
            // Its long stretch without a face is not bridged, its short gaps are.
            #expect(rows.contains { $0.probabilities == nil && $0.smoothed == nil })
            #expect(rows.contains { $0.probabilities == nil && $0.smoothed != nil })
        }
        // summarize --smoothed summarises the smoothed values.
        var direct = EmotionSummary(labels: labels)
        for row in rows { direct.add(duration: row.duration, emotion: row.smoothed?.emotion, probabilities: row.smoothed?.probabilities) }
        #expect(try TimelineReader.summary(ofFile: smoothed.json!, smoothed: true) == direct)
        #expect(throws: TimelineError(path: plain.json!, message: "expected smoothed values (a timeline written with analyze --smooth T), found none")) {
            try TimelineReader.summary(ofFile: plain.json!, smoothed: true)
        }
    }
}

@Suite struct PlotTests {
    @Test func aTwoHourTimelineMakesASmallChartThatRenders() throws {
        let labels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
        let plot = TimelinePlot(labels: labels)
        // Two hours at 30 fps: a face whose happiness rises and falls, no face from 40:00 to 50:00.
        let frames = 2 * 3600 * 30
        for frame in 0..<frames {
            let time = Double(frame) / 30
            if time >= 2400 && time < 3000 {
                plot.add(time: time, duration: 1.0 / 30, emotion: nil, probabilities: nil)
                continue
            }
            let happy = 0.5 + 0.45 * sin(time / 300)
            var probabilities = [Double](repeating: (1 - happy) / 6, count: 7)
            probabilities[3] = happy
            plot.add(time: time, duration: 1.0 / 30, emotion: happy > 1.0 / 7 ? "happy" : "neutral", probabilities: probabilities)
        }
        let svg = plot.svg(title: "two hours")
        #expect(svg.utf8.count < 300_000, "the chart of two hours must stay small, found \(svg.utf8.count) bytes")
        #expect(abs(plot.span - 7200) < 1e-6)
        #expect(svg.contains(">1:00:00<") && svg.contains(">2:00:00<"), "past an hour the axis reads h:mm:ss")
        // The stretch without a face is shaded from 40:00 to 50:00 (x from 56 + 1104·1/3 to 56 + 1104·5/12).
        let shading = try #require(svg.range(of: "<g class=\"no-face\"").map { String(svg[$0.lowerBound...].prefix { $0 != "\n" }) })
        let xs = shading.matches(of: /x="([0-9.]+)" y="40" width="([0-9.]+)"/).map { (Double($0.1)!, Double($0.2)!) }
        #expect(xs.count == 1)
        #expect(xs.first.map { abs($0.0 - (56 + 1104.0 / 3)) < 2 && abs($0.0 + $0.1 - (56 + 1104.0 * 5 / 12)) < 2 } == true, "\(xs)")
        // The legend lists the labels in model order.
        let legend = svg.matches(of: /<text x="[0-9]+" y="[0-9]+">([a-z ]+)<\/text>/).map { String($0.1) }.suffix(8)
        #expect(Array(legend) == labels + ["no face"])

        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("plot.svg").path
        try svg.write(toFile: file, atomically: true, encoding: .utf8)
        let rendered = try Shared.run("rsvg-convert", [file, "-o", folder.appendingPathComponent("plot.png").path])
        #expect(rendered.status == 0, "rsvg-convert: \(rendered.output)")
    }

    @Test func clockLabels() {
        #expect(TimelinePlot.clock(59, span: 100) == "0:59")
        #expect(TimelinePlot.clock(3723, span: 7200) == "1:02:03")
        #expect(TimelinePlot.clock(1.26, span: 2.4) == "0:01.3")
        #expect(TimelinePlot.tickStep(span: 7200) == 600)
        #expect(TimelinePlot.tickStep(span: 2.4) == 0.2)
    }
}

@Suite struct ExportTests {
    /// The timeline of `face_noface.mov` (a face, then none, then brief faces) and its merged segments,
    /// computed here from the rows.
    static func timeline(in folder: URL) throws -> (json: String, labels: [String], rows: [TimelineRow], segments: [(String, Double, Double)]) {
        let outputs = try Shared.analyze("samples/media/face_noface.mov", into: folder)
        let (labels, rows) = try TimelineReader.read(file: outputs.json!)
        var segments: [(String, Double, Double)] = []
        var previous: TimelineRow?
        for row in rows {
            if let emotion = row.emotion {
                if let last = previous, last.emotion == emotion, let open = segments.last {
                    segments[segments.count - 1] = (open.0, open.1, row.time + row.duration)
                } else {
                    segments.append((emotion, row.time, row.time + row.duration))
                }
            }
            previous = row
        }
        return (outputs.json!, labels, rows, segments)
    }

    static func export(_ json: String, _ format: ExportFormat, media: String? = nil) throws -> [(suffix: String, text: String)] {
        var exporter: (any TimelineExporter)?
        try TimelineReader.read(file: json) { head in exporter = try format.exporter(head: head, media: media ?? head.input) } row: { try exporter?.add($0) }
        return try exporter!.finish()
    }

    @Test func elanReadsTheSegmentsWithPympi() throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let timeline = try Self.timeline(in: folder)
        let eaf = folder.appendingPathComponent("face_noface.eaf").path
        try Self.export(timeline.json, .elan)[0].text.write(toFile: eaf, atomically: true, encoding: .utf8)
        #expect(timeline.segments.count >= 4, "the sample should give several segments")
        // ELAN's own reader library, from its pinned wheel (make assets).
        let wheel = try Shared.repository(".cache/wheels/pympi_ling-1.71-py3-none-any.whl")
        let read = try Shared.run("python3", ["-c", """
            import json, sys, pympi
            eaf = pympi.Elan.Eaf(sys.argv[1])
            print(json.dumps({"tiers": list(eaf.get_tier_names()), "media": eaf.media_descriptors,
                              "annotations": sorted(eaf.get_annotation_data_for_tier("emotion"))}))
            """, eaf], environment: ["PYTHONPATH": wheel])
        #expect(read.status == 0, "pympi: \(read.output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(read.output.utf8)) as! [String: Any]
        #expect(parsed["tiers"] as? [String] == ["emotion"])
        let annotations = parsed["annotations"] as! [[Any]]
        #expect(annotations.count == timeline.segments.count)
        for (annotation, segment) in zip(annotations, timeline.segments) {
            #expect(annotation[0] as? Int == Int((segment.1 * 1000).rounded()))
            #expect(annotation[1] as? Int == Int((segment.2 * 1000).rounded()))
            #expect(annotation[2] as? String == segment.0)
        }
        let media = (parsed["media"] as? [[String: String]])?.first
        #expect(media?["MEDIA_URL"] == URL(fileURLWithPath: try Shared.repository("samples/media/face_noface.mov")).absoluteString)
        #expect(media?["MIME_TYPE"] == "video/quicktime")
    }

    @Test func webVTTCuesAreReadByFFmpeg() throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let timeline = try Self.timeline(in: folder)
        let vtt = folder.appendingPathComponent("face_noface.vtt").path
        try Self.export(timeline.json, .webvtt)[0].text.write(toFile: vtt, atomically: true, encoding: .utf8)
        let probe = try Shared.run("ffprobe", ["-v", "error", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", vtt])
        #expect(probe.status == 0, "ffprobe: \(probe.output)")
        let cues = probe.output.split(separator: "\n").map { $0.split(separator: ",").compactMap { Double($0) } }
        #expect(cues.count == timeline.segments.count)
        for (cue, segment) in zip(cues, timeline.segments) where cue.count == 2 {
            #expect(abs(cue[0] - segment.1) < 0.0015 && abs(cue[0] + cue[1] - segment.2) < 0.0015, "\(cue) \(segment)")
        }
    }

    @Test func borisEventsPairAndTheExternalDataHasOneRowPerFaceFrame() throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let timeline = try Self.timeline(in: folder)
        let files = try Self.export(timeline.json, .boris)
        let events = files[0].text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(events[0] == BORISExporter.header)
        #expect(events.count == 1 + 2 * timeline.segments.count)
        for (index, segment) in timeline.segments.enumerated() {
            let start = events[1 + 2 * index], stop = events[2 + 2 * index]
            #expect(start[5] == segment.0 && stop[5] == segment.0 && start[8] == "START" && stop[8] == "STOP")
            #expect(abs(Double(start[0])! - segment.1) < 0.0006 && abs(Double(stop[0])! - segment.2) < 0.0006)
            #expect(start[4] == "face")
        }
        #expect(files[1].suffix == "-data.csv")
        let data = files[1].text.split(separator: "\n")
        #expect(data[0] == "time," + timeline.labels.joined(separator: ","))
        let times = data.dropFirst().map { Double($0.split(separator: ",")[0])! }
        #expect(times.count == timeline.rows.filter { $0.probabilities != nil }.count)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "BORIS needs strictly increasing times")
    }

    @Test func pyFeatColumnsAreMappedByName() throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let timeline = try Self.timeline(in: folder)
        let lines = try Self.export(timeline.json, .pyfeat)[0].text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(lines[0] == ["FaceRectX", "FaceRectY", "FaceRectWidth", "FaceRectHeight", "FaceScore", "anger", "disgust", "fear", "happiness",
                             "sadness", "surprise", "neutral", "input", "frame", "approx_time"])
        #expect(lines.count == 1 + timeline.rows.count)
        for (line, row) in zip(lines.dropFirst(), timeline.rows) {
            #expect(line[13] == String(row.frame))
            if let probabilities = row.probabilities, let box = row.box {
                #expect(line[0] == String(box.x) && line[3] == String(box.height))
                #expect(Double(line[8]) == probabilities[3] && Double(line[5]) == probabilities[0] && Double(line[11]) == probabilities[6])
            } else {
                #expect(line[0].isEmpty && line[8].isEmpty)
            }
        }
        #expect(lines.last?[14] == "00:06")
        // A model whose labels py-feat has no name for is refused for this format only.
        let head = TimelineHead(labels: ["calm", "happy"], smoothed: false, input: nil)
        #expect(throws: ExportError("pyfeat: expected the model's labels to be py-feat's emotions (anger, disgust, fear, happiness, sadness, surprise, neutral), found 'calm', which has no py-feat name")) {
            try ExportFormat.pyfeat.exporter(head: head, media: nil)
        }
        #expect(throws: ExportError("pyfeat: expected a label for each of py-feat's emotions, found none for anger, disgust, fear, sadness, surprise")) {
            try ExportFormat.pyfeat.exporter(head: TimelineHead(labels: ["happy", "neutral"], smoothed: false, input: nil), media: nil)
        }
        for format in [ExportFormat.elan, .boris, .webvtt, .openface] { _ = try format.exporter(head: head, media: nil) }
    }

    @Test func openFaceRowsCountFromOneAndMarkSuccess() throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let timeline = try Self.timeline(in: folder)
        let lines = try Self.export(timeline.json, .openface)[0].text.split(separator: "\n").map { $0.components(separatedBy: ", ") }
        #expect(Array(lines[0].prefix(5)) == ["frame", "face_id", "timestamp", "confidence", "success"])
        #expect(Array(lines[0].suffix(timeline.labels.count)) == timeline.labels)
        for (line, row) in zip(lines.dropFirst(), timeline.rows) {
            #expect(line[0] == String(row.frame + 1))
            #expect(line[4] == (row.emotion == nil ? "0" : "1"))
            #expect(line.count == lines[0].count)
        }
    }
}

@Suite struct ReportTests {
    @Test func pagesLinkTheirVideosRelativelyAndNeedNoNetwork() throws {
        let folder = try Shared.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        let outputs = try Shared.analyze("samples/media/single_face.mp4", into: folder.appendingPathComponent("out"))
        let videos = [try VideoReport(timeline: outputs.json!)]
        // No overlay beside it: the page plays the analysed input.
        #expect(videos[0].media == (try Shared.repository("samples/media/single_face.mp4")))
        let pages = try ReportWriter.write(videos + videos, to: folder.appendingPathComponent("report").path)
        #expect(pages.map { ($0 as NSString).lastPathComponent } == ["index.html", "single_face.html", "single_face-2.html"])
        let page = try String(contentsOfFile: pages[1], encoding: .utf8)
        let source = try #require(page.firstMatch(of: /<video id="player" controls preload="auto" src="([^"]+)"/)?.1)
        let resolved = URL(fileURLWithPath: folder.appendingPathComponent("report").path).appendingPathComponent(String(source).removingPercentEncoding!).standardizedFileURL.path
        #expect(URL(fileURLWithPath: resolved).resolvingSymlinksInPath().path == URL(fileURLWithPath: try Shared.repository("samples/media/single_face.mp4")).resolvingSymlinksInPath().path)
        for file in pages {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.firstMatch(of: /(src|href)="(https?:)?\/\//) == nil, "\(file) links a network resource")
        }
        #expect(ReportWriter.relativePath(from: "/a/b/report", to: "/a/c/v.mp4") == "../../c/v.mp4")
        #expect(ReportWriter.percentEncoded("../my clips/a#1.mp4") == "../my%20clips/a%231.mp4")
    }
}

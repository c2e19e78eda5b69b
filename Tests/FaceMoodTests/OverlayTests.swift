import Foundation
import Testing
@testable import FaceMood
import Imaging
import Overlay
@testable import TimelineOutputs
import VideoIO

/// The overlay video, checked with ffprobe and by decoding it again.
@Suite struct OverlayTests {
    struct Produced {
        let input: String
        let overlay: String
        let rows: [TimelineRow]
        let labels: [String]
    }

    static func produce(_ media: String) throws -> Produced {
        let input = media.contains("/") ? try TestPaths.repository(media) : try TestPaths.repository("samples/media/" + media)
        let folder = try TestPaths.temporaryFolder()
        var outputs = AnalysisOutputs.defaults(base: TestPaths.outputBase(input, in: folder))
        outputs.overlay = AnalysisOutputs.defaultOverlay(base: TestPaths.outputBase(input, in: folder))
        let analyzer = try testAnalyzer()
        try analyzeLikeTheCommand(input, outputs: outputs, analyzer: analyzer)
        return Produced(input: input, overlay: outputs.overlay!, rows: try timelineRows(csv: outputs.csv!), labels: analyzer.labels)
    }

    static func ffprobe(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffprobe", "-v", "error"] + arguments
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("ffprobe \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(message)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func framePTS(_ path: String) throws -> [String] {
        try ffprobe(["-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0", path])
            .split(separator: "\n").map { String($0.split(separator: ",").first ?? "") }
    }

    static func audio(_ path: String) throws -> (codec: String, duration: Double, sampleRate: Double)? {
        let line = try ffprobe(["-select_streams", "a:0", "-show_entries", "stream=codec_name,duration,sample_rate", "-of", "csv=p=0", path])
            .split(separator: "\n").first
        guard let fields = line?.split(separator: ","), fields.count == 3 else { return nil }
        return (String(fields[0]), Double(fields[2]) ?? 0, Double(fields[1]) ?? 0)
    }

    @Test(arguments: [("single_face.mp4", "mp3", 1152.0), ("WolfgangLanger_Pexels.mp4", "aac", 1024.0)])
    func keepsEveryFrameTimeAndTheAudio(media: String, codec: String, samplesPerAudioFrame: Double) throws {
        let produced = try Self.produce(media)
        #expect(try Self.framePTS(produced.overlay) == Self.framePTS(produced.input), "frame count and every frame's pts")
        let original = try #require(try Self.audio(produced.input))
        let copied = try #require(try Self.audio(produced.overlay), "the overlay has an audio stream")
        #expect(copied.codec == codec && original.codec == codec)
        #expect(abs(copied.duration - original.duration) <= samplesPerAudioFrame / original.sampleRate,
                "audio lasts \(copied.duration) s, the input's \(original.duration) s")
        // The file decodes without errors.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-i", produced.overlay, "-f", "null", "-"]
        let errors = Pipe()
        check.standardError = errors
        try check.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0 && text.isEmpty, "decoding the overlay printed: \(text)")
    }

    @Test func audioTheContainerCannotHoldIsReencodedToAACWithANotice() throws {
        let input = try TestPaths.repository("samples/generated/pcm_audio.mov")
        let folder = try TestPaths.temporaryFolder()
        var outputs = AnalysisOutputs(csv: nil, json: nil)
        outputs.overlay = folder.appendingPathComponent("pcm.overlay.mp4").path
        var notices: [String] = []
        try analyzeLikeTheCommand(input, outputs: outputs, analyzer: try testAnalyzer(), notify: { notices.append($0) })
        #expect(notices == ["\(outputs.overlay!): the pcm_s16le audio of \(input) cannot be stored in this container as is; it was re-encoded to AAC"])
        let original = try #require(try Self.audio(input)), copied = try #require(try Self.audio(outputs.overlay!))
        #expect(copied.codec == "aac")
        #expect(abs(copied.duration - original.duration) <= 1024 / original.sampleRate)
        #expect(try Self.framePTS(outputs.overlay!) == Self.framePTS(input))
    }

    @Test func variableFrameRateIsPreserved() throws {
        let produced = try Self.produce("samples/generated/vfr.mp4")
        #expect(try Self.framePTS(produced.overlay) == Self.framePTS(produced.input))
    }

    /// Mean of |a - b| over the RGB values of two same-sized images inside `region`.
    static func difference(_ a: RGBImage, _ b: RGBImage, region: FaceBox) -> Double {
        var total = 0, count = 0
        for y in region.y..<(region.y + region.height) {
            for x in region.x..<(region.x + region.width) {
                for c in 0..<3 {
                    total += abs(Int(a.pixels[(y * a.width + x) * 3 + c]) - Int(b.pixels[(y * b.width + x) * 3 + c]))
                    count += 1
                }
            }
        }
        return Double(total) / Double(max(count, 1))
    }

    static func frames(_ path: String, at indices: Set<Int>) throws -> [Int: RGBImage] {
        let reader = try VideoReader(path: path, options: .init(wantsColor: true))
        var found: [Int: RGBImage] = [:]
        while found.count < indices.count, let frame = try reader.nextFrame() {
            if indices.contains(frame.index) { found[frame.index] = frame.color }
        }
        return found
    }

    static func boxColorIsAt(_ image: RGBImage, box: FaceBox, color: Color) -> Bool {
        // The middle of the box's top and left edges, one pixel inside the outline.
        let points = [(box.x + box.width / 2, box.y + 1), (box.x + 1, box.y + box.height / 2),
                      (box.x + box.width / 2, box.y + box.height - 2), (box.x + box.width - 2, box.y + box.height / 2)]
        return points.allSatisfy { x, y in
            let index = (y * image.width + x) * 3
            // Lossy coding moves colours a little; 40 levels per channel is far from any face pixel's chance match.
            return abs(Int(image.pixels[index]) - Int(color.red)) <= 40 && abs(Int(image.pixels[index + 1]) - Int(color.green)) <= 40
                && abs(Int(image.pixels[index + 2]) - Int(color.blue)) <= 40
        }
    }

    @Test func theBoxIsDrawnOnTheFaceAndOnlyWhereThereIsOne() throws {
        let produced = try Self.produce("face_noface.mov")
        let faceRow = try #require(produced.rows.first { $0.box != nil && $0.frame > 10 })
        let emptyRow = try #require(produced.rows.last { $0.box == nil })
        let drawn = try Self.frames(produced.overlay, at: [faceRow.frame, emptyRow.frame])
        let source = try Self.frames(produced.input, at: [faceRow.frame, emptyRow.frame])
        let box = try #require(faceRow.box), emotion = try #require(faceRow.emotion)
        let color = EmotionOverlay.palette[produced.labels.firstIndex(of: emotion)!]
        let onFace = Self.boxColorIsAt(try #require(drawn[faceRow.frame]), box: box, color: color)
        #expect(onFace, "box outline at \(box)")
        // Without a face nothing is drawn outside the panel (top left): everywhere else the frame equals the
        // source up to coding noise, right of the panel over the whole height and below it over the whole width.
        let frame = try #require(drawn[emptyRow.frame]), original = try #require(source[emptyRow.frame])
        let panel = EmotionOverlay(labels: produced.labels, font: try FontRenderer()).panelArea(width: frame.width, height: frame.height)
        let right = FaceBox(x: panel.x + panel.width + 2, y: 0, width: frame.width - panel.x - panel.width - 2, height: frame.height)
        let below = FaceBox(x: 0, y: panel.y + panel.height + 2, width: frame.width, height: frame.height - panel.y - panel.height - 2)
        #expect(Self.difference(frame, original, region: right) < 3, "right of the panel")
        #expect(Self.difference(frame, original, region: below) < 3, "below the panel")
        // And the panel itself is there: its area differs from the source.
        #expect(Self.difference(frame, original, region: panel) > 10, "the panel is drawn")
    }

    /// A BT.709 source (face_noface.mov, 960x540) looks the same in the overlay as in the source when a player converts
    /// both by their tags: the reader converts by the source's matrix and the writer tags what it writes.
    @Test func aPlayerShowsTheSourcesColours() throws {
        let produced = try Self.produce("face_noface.mov")
        let tags = try Self.ffprobe(["-select_streams", "v:0", "-show_entries", "stream=color_space,color_range", "-of", "csv=p=0", produced.overlay])
        #expect(tags.trimmingCharacters(in: .whitespacesAndNewlines) == "tv,smpte170m")
        let emptyRow = try #require(produced.rows.last { $0.box == nil })
        let drawn = try ffmpegRGBFrame(produced.overlay, index: emptyRow.frame)
        let original = try ffmpegRGBFrame(produced.input, index: emptyRow.frame)
        let below = FaceBox(x: 0, y: 300, width: 960, height: 240)
        let difference = Self.difference(drawn, original, region: below)
        #expect(difference < 1.5, "\(difference) levels on average below the panel")
    }

    @Test func rotatedInputIsUprightWithTheBoxOnTheFace() throws {
        let produced = try Self.produce("samples/generated/phone_rotated.mp4")
        let dimensions = try Self.ffprobe(["-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", produced.overlay])
        #expect(dimensions.trimmingCharacters(in: .whitespacesAndNewlines) == "640,360", "display orientation, no rotation left to apply")
        let row = try #require(produced.rows.first { $0.box != nil && $0.frame >= 30 })
        let image = try #require(try Self.frames(produced.overlay, at: [row.frame])[row.frame])
        let color = EmotionOverlay.palette[produced.labels.firstIndex(of: row.emotion!)!]
        let onFace = Self.boxColorIsAt(image, box: row.box!, color: color)
        #expect(onFace, "box outline at \(row.box!)")
    }

    /// A recording whose picture size or pixel format changes mid-stream (concatenated MPEG-TS): every frame
    /// is analysed at its own size, and the overlay keeps the first frame's size, later frames scaled to it
    /// as the ffmpeg command scales them, never written past the encoder's buffers.
    @Test(arguments: [("small_then_large.ts", "320,180"), ("large_then_small.ts", "640,360"), ("pixel_format_change.ts", "640,360")])
    func sizeAndFormatChangesMidStream(media: String, firstSize: String) throws {
        let produced = try Self.produce("samples/generated/" + media)
        let dimensions = try Self.ffprobe(["-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", produced.overlay])
        #expect(dimensions.trimmingCharacters(in: .whitespacesAndNewlines) == firstSize)
        #expect(try Self.framePTS(produced.overlay).count == Self.framePTS(produced.input).count, "every frame is in the overlay")
        let sizes = Set(try Self.frameSizes(produced.input))
        #expect(sizes.count == (media == "pixel_format_change.ts" ? 1 : 2), "the input really changes size: \(sizes)")
        // The rows of the part after the change have boxes inside that part's own frame size.
        let secondSize = media == "small_then_large.ts" ? (640, 360) : media == "large_then_small.ts" ? (320, 180) : (640, 360)
        let later = produced.rows.filter { $0.time > 1.3 }
        #expect(!later.isEmpty)
        for row in later {
            if let box = row.box {
                #expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= secondSize.0 && box.y + box.height <= secondSize.1,
                        "frame \(row.frame): \(box) inside \(secondSize)")
            }
        }
        #expect(produced.rows.contains { $0.time > 1.3 && $0.box != nil }, "faces are found after the change too")
    }

    static func frameSizes(_ path: String) throws -> [String] {
        try ffprobe(["-select_streams", "v:0", "-show_entries", "frame=width,height", "-of", "csv=p=0", path])
            .split(separator: "\n").map { $0.split(separator: ",").prefix(2).joined(separator: ",") }.filter { !$0.isEmpty }
    }
}

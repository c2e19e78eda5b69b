import Imaging
import Testing
import VideoIO

/// A decoder reopened on one thread gives the frames FFmpeg's threads give, bit for bit and at the same times; the
/// analysis chooses it only for frames small enough that threads cost more than they give.
@Suite struct DecoderThreadsTests {
    struct Decoded: Equatable {
        var frames: [(index: Int, time: Double, duration: Double, gray: GrayImage, color: RGBImage?)] = []
        var error: VideoError?

        static func == (lhs: Decoded, rhs: Decoded) -> Bool {
            lhs.error == rhs.error && lhs.frames.count == rhs.frames.count && zip(lhs.frames, rhs.frames).allSatisfy {
                $0.index == $1.index && $0.time == $1.time && $0.duration == $1.duration && $0.gray == $1.gray && $0.color == $1.color
            }
        }
    }

    static func decode(_ path: String, threads: DecoderThreads, color: Bool) throws -> Decoded {
        let reader = try VideoReader(path: path, options: VideoReader.Options(wantsColor: color))
        try reader.useDecoderThreads(threads)
        #expect(reader.decoderThreads == threads)
        var decoded = Decoded()
        do {
            while let frame = try reader.nextFrame() {
                decoded.frames.append((frame.index, frame.time, frame.duration, frame.gray, frame.color))
            }
        } catch let error as VideoError {
            decoded.error = error
        }
        return decoded
    }

    @Test(arguments: ["single_face.mp4", "face_noface.mov", "vfr.mp4", "pixel_format_change.ts", "small_then_large.ts",
                      "discontinuous.ts", "truncated_data.mp4"])
    func oneThreadDecodesWhatFFmpegsThreadsDecode(name: String) throws {
        let path = try Reference.media(name)
        let color = name == "single_face.mp4"
        let threaded = try Self.decode(path, threads: .automatic, color: color)
        let single = try Self.decode(path, threads: .single, color: color)
        #expect(single.frames.count > 0)
        #expect(single == threaded, "\(name): \(single.frames.count) frames and \(String(describing: single.error)) on one thread, \(threaded.frames.count) and \(String(describing: threaded.error)) on FFmpeg's")
    }

    @Test func theThreadsChangeOnlyBeforeTheFirstFrame() throws {
        let reader = try VideoReader(path: try Reference.media("single_face.mp4"))
        #expect(reader.decoderThreads == .automatic)
        try reader.useDecoderThreads(.single)
        _ = try reader.nextFrame()
        try reader.useDecoderThreads(.automatic)
        #expect(reader.decoderThreads == .single, "the decoder holds frames already; reopening it would lose them")
        var frames = 1
        while try reader.nextFrame() != nil { frames += 1 }
        #expect(frames == 72)
    }

    @Test func oneThreadOnlyForSmallFramesBesideWorkOnEveryCore() {
        #expect(DecoderThreads.beside(busyThreads: 2, cores: 2, width: 640, height: 360) == .single)
        #expect(DecoderThreads.beside(busyThreads: 4, cores: 4, width: 960, height: 540) == .single)
        #expect(DecoderThreads.beside(busyThreads: 4, cores: 4, width: 540, height: 960) == .single)
        #expect(DecoderThreads.beside(busyThreads: 2, cores: 2, width: 961, height: 540) == .automatic)
        #expect(DecoderThreads.beside(busyThreads: 2, cores: 2, width: 1280, height: 720) == .automatic)
        #expect(DecoderThreads.beside(busyThreads: 1, cores: 2, width: 640, height: 360) == .automatic, "a core is free for FFmpeg's threads")
    }
}

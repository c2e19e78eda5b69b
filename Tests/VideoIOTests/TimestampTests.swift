import Imaging
import Testing
import VideoIO

/// Decodes a whole file, keeping only what the timestamp tests compare.
func decodeTimeline(_ path: String) throws -> (times: [Double], durations: [Double], indices: [Int]) {
    let reader = try VideoReader(path: path)
    var times: [Double] = [], durations: [Double] = [], indices: [Int] = []
    while let frame = try reader.nextFrame() {
        times.append(frame.time)
        durations.append(frame.duration)
        indices.append(frame.index)
    }
    return (times, durations, indices)
}

@Suite struct TimestampTests {
    /// Both sides compute in the stream's time base; the allowance covers floating-point rounding only.
    static let tolerance = 1e-9

    @Test(arguments: [
        "single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov", "noface_face.mov",
        "clip.mkv", "clip.webm", "clip.avi", "vfr.mp4", "rotated90.mp4", "rotated180.mov",
        "discontinuous.ts", "video_after_audio.mp4", "small_then_large.ts", "large_then_small.ts", "pixel_format_change.ts",
    ])
    func everyFrameHasTheTimeTheFFmpegCommandGivesIt(name: String) throws {
        let path = try Reference.media(name)
        let expected = try Reference.ffmpegTimes(path)
        let decoded = try decodeTimeline(path)
        #expect(decoded.times.count == expected.count, "frame count of \(name)")
        #expect(decoded.indices == Array(0..<decoded.times.count))
        for (index, (time, reference)) in zip(decoded.times, expected).enumerated() {
            #expect(abs(time - reference) <= Self.tolerance, "\(name) frame \(index): \(time) vs ffmpeg's \(reference)")
        }
        #expect(zip(decoded.times, decoded.times.dropFirst()).allSatisfy { $0 < $1 }, "\(name): times strictly increase")
        #expect(decoded.durations.allSatisfy { $0 > 0 }, "\(name): every duration is positive")
    }

    @Test func restartedClockIsCorrectedAndCounted() throws {
        let reader = try VideoReader(path: try Reference.media("discontinuous.ts"))
        var times: [Double] = []
        while let frame = try reader.nextFrame() { times.append(frame.time) }
        #expect(reader.discontinuitiesCorrected >= 1)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "times go on after the restart: \(times)")
    }

    @Test func videoThatStartsAfterItsAudioIsOnTheFilesClock() throws {
        let reader = try VideoReader(path: try Reference.media("video_after_audio.mp4"))
        let first = try #require(try reader.nextFrame())
        // 20448 ticks of 1/24000 s (ffprobe): exact in binary up to the division.
        #expect(abs(reader.videoStartOffset - 0.852) < 1e-9, "the video stream starts \(reader.videoStartOffset) s into the file")
        #expect(abs(first.time - reader.videoStartOffset) < 1e-9, "the first frame is shown at \(first.time) s, not 0")
    }

    @Test func durationIsTheGapToTheNextFrameAndTheAverageForTheLast() throws {
        let path = try Reference.media("no_face.mp4")
        let reader = try VideoReader(path: path)
        let decoded = try decodeTimeline(path)
        for index in 0..<(decoded.times.count - 1) {
            #expect(abs(decoded.durations[index] - (decoded.times[index + 1] - decoded.times[index])) < 1e-12)
        }
        let averageFPS = try #require(reader.info.fps)
        #expect(abs(decoded.durations.last! - 1 / averageFPS) < 1e-12)
    }

    @Test func variableFrameRateFollowsTheRealTimestamps() throws {
        // scripts/make-test-media.sh spaces frames 0-19 by 1/30 s, 20-39 by 0.1 s, 40-47 by 1/60 s.
        let decoded = try decodeTimeline(try Reference.media("vfr.mp4"))
        #expect(decoded.times.count == 48)
        for (index, time) in decoded.times.enumerated() {
            let expected = index < 20 ? Double(index) / 30
                : index < 40 ? 20.0 / 30 + Double(index - 20) * 0.1
                : 20.0 / 30 + 2 + Double(index - 40) / 60
            #expect(abs(time - expected) < 1e-9, "frame \(index): \(time), expected \(expected)")
        }
        #expect(abs(decoded.durations[5] - 1.0 / 30) < 1e-9)
        #expect(abs(decoded.durations[25] - 0.1) < 1e-9)
        #expect(abs(decoded.durations[45] - 1.0 / 60) < 1e-9)
    }

    @Test(arguments: ["single_face.jpg", "Image_with_alpha.png", "BWPictureHuman.jpg"])
    func stillImageIsAOneFrameVideo(name: String) throws {
        let decoded = try decodeTimeline(try Reference.media(name))
        #expect(decoded.times == [0])
    }
}

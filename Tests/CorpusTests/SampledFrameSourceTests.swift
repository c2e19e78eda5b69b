import FaceMood
import Foundation
import Testing

@Suite struct SampledFrameSourceTests {
    static func frames(times: [Double], end: Double) throws -> [VideoFrame] {
        let image = try GrayImage(width: 2, height: 2, pixels: [0, 0, 0, 0])
        return try times.indices.map { index in
            let next = index + 1 < times.count ? times[index + 1] : end
            return try VideoFrame(index: index, time: times[index], duration: next - times[index], gray: image)
        }
    }

    static func sample(_ frames: [VideoFrame], fps: Double) throws -> (frames: [VideoFrame], leftOut: Int) {
        let source = try SampledFrameSource(base: PushedFrameSource(name: "frames", frames: frames), sampling: FrameSampling(framesPerSecond: fps))
        var out: [VideoFrame] = []
        while let frame = try source.nextFrame() { out.append(frame) }
        return (out, source.framesLeftOut)
    }

    @Test func thirtyFramesPerSecondAtTwoKeepsEveryFifteenthAndItsSpan() throws {
        let times = (0..<95).map { 0.1 + Double($0) / 30 }
        let (kept, leftOut) = try Self.sample(try Self.frames(times: times, end: 0.1 + 95.0 / 30), fps: 2)
        #expect(kept.map(\.index) == [0, 15, 30, 45, 60, 75, 90])
        #expect(leftOut == 95 - 7)
        for frame in kept.dropLast() { #expect(abs(frame.duration - 0.5) < 1e-9) }
        #expect(abs(kept.last!.duration - 5.0 / 30) < 1e-9, "the last row spans to the end of the last frame")
        #expect(abs(kept.reduce(0) { $0 + $1.duration } - 95.0 / 30) < 1e-9, "the rows cover the whole video")
    }

    @Test func theNearestFrameWinsAndTheEarlierOnATie() throws {
        // Grid from 0: 0, 0.5, 1.0; 0.375 is nearest to 0.5; 1.0 ties between 0.875 and 1.125 (exact binary fractions).
        let (kept, _) = try Self.sample(try Self.frames(times: [0, 0.25, 0.375, 0.75, 0.875, 1.125], end: 1.25), fps: 2)
        #expect(kept.map(\.index) == [0, 2, 4])
        #expect(kept.map(\.duration) == [0.375, 0.5, 0.375])
    }

    @Test func aRateAboveTheVideosKeepsEveryFrame() throws {
        let times = (0..<10).map { Double($0) / 10 }
        let (kept, leftOut) = try Self.sample(try Self.frames(times: times, end: 1), fps: 50)
        #expect(kept.map(\.index) == Array(0..<10))
        #expect(leftOut == 0)
    }

    @Test func absurdRatesAreRefused() throws {
        let base = PushedFrameSource(name: "frames", frames: [VideoFrame]())
        #expect(throws: AnalysisError.self) { try SampledFrameSource(base: base, sampling: FrameSampling(framesPerSecond: 0)) }
        #expect(throws: AnalysisError.self) { try SampledFrameSource(base: base, sampling: FrameSampling(framesPerSecond: .nan)) }
    }
}

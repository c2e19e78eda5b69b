import Imaging
import Testing
import VideoIO

@Suite struct BadInputTests {
    @Test func missingFile() {
        #expect(throws: VideoError.cannotOpen(path: "/nonexistent/clip.mp4", reason: "No such file or directory")) {
            try VideoReader(path: "/nonexistent/clip.mp4")
        }
    }

    @Test(arguments: ["empty.mp4", "text.mp4", "truncated_index.mp4"])
    func unreadableFile(name: String) throws {
        let path = try Reference.media(name)
        #expect(throws: VideoError.cannotOpen(path: path, reason: "Invalid data found when processing input")) {
            try VideoReader(path: path)
        }
    }

    @Test func audioOnlyFile() throws {
        let path = try Reference.media("audio_only.m4a")
        let error = VideoError.noVideoStream(path: path, found: "only audio (aac)")
        #expect(throws: error) { try VideoReader(path: path) }
        #expect(error.description == "\(path): expected a video stream, found only audio (aac)")
    }

    @Test func truncatedMediaDataGivesTheDecodableFramesThenAnError() throws {
        let path = try Reference.media("truncated_data.mp4")
        let reader = try VideoReader(path: path)
        var frames = 0
        do {
            while try reader.nextFrame() != nil { frames += 1 }
            Issue.record("a truncated file decoded to its end without an error")
        } catch let error as VideoError {
            guard case let .decodeFailed(errorPath, framesDecoded, reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(framesDecoded == frames)
            #expect(reason.hasPrefix("the file is truncated"))
        }
        #expect(frames > 20 && frames < 72, "decoded \(frames) of 72 frames before the cut")
        #expect(try reader.nextFrame() == nil, "the reader stays finished after reporting the error")
    }

    @Test func errorMessagesSayWhatWasExpectedAndFound() {
        #expect(VideoError.cannotOpen(path: "a.mp4", reason: "Invalid data found when processing input").description
            == "a.mp4: expected a video or image file, but FFmpeg cannot open it: Invalid data found when processing input")
        #expect(VideoError.decodeFailed(path: "a.mp4", framesDecoded: 1, reason: "x").description
            == "a.mp4: decoding stopped after 1 frame: x")
    }
}

import Imaging
import Testing
@testable import VideoIO
import CFFmpeg

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

/// libavdevice is loaded when a device is first needed; when it cannot be, the error says which library and why.
@Suite struct DeviceLibraryTests {
    @Test func aMissingLibraryIsNamedWithTheLoadersReason() {
        do {
            _ = try DeviceLibrary(soname: "libavdevice.so.0-not-installed")
            Issue.record("a library that does not exist loaded")
        } catch {
            #expect(error.message.hasPrefix("capture devices and the preview window need libavdevice.so.0-not-installed, which could not be loaded: "))
            #expect(error.message.contains("No such file"), "\(error.message)")
        }
    }

    @Test func aLibraryWithoutTheDeviceFunctionsIsRefused() {
        do {
            _ = try DeviceLibrary(soname: "libm.so.6")
            Issue.record("libm passed for libavdevice")
        } catch {
            #expect(error.message == "expected avdevice_register_all and av_input_video_device_next in libm.so.6, found them missing")
        }
    }

    @Test func theInstalledLibraryRegistersTheLavfiDevice() throws {
        let library = try DeviceLibrary.registered.get()
        let lavfi = try #require(av_find_input_format("lavfi"))
        #expect(FFmpegRegistration.isCaptureDevice(lavfi))
        #expect(library.nextInputVideoDevice(nil) != nil)
    }
}

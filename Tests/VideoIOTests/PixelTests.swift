import Imaging
import Testing
import VideoIO

/// Frames at `indices`, as the reader delivers them.
func readFrames(_ path: String, indices: Set<Int>, color: Bool = false) throws -> [Int: VideoFrame] {
    let reader = try VideoReader(path: path, options: .init(wantsColor: color))
    var frames: [Int: VideoFrame] = [:]
    while let frame = try reader.nextFrame() {
        if indices.contains(frame.index) { frames[frame.index] = frame }
    }
    return frames
}

@Suite struct PixelTests {
    @Test(arguments: [
        ("single_face.mp4", [0, 35, 71]),
        ("WolfgangLanger_Pexels.mp4", [0, 200, 471]),
        ("face_noface.mov", [0, 100, 168]),
        ("clip.webm", [0, 29]),
        ("clip.avi", [0, 29]),
        ("single_face.jpg", [0]),
        ("rotated90.mp4", [0, 40]),
        ("rotated180.mov", [0, 40]),
    ])
    func grayBytesEqualFFmpegs(name: String, indices: [Int]) throws {
        let path = try Reference.media(name)
        let frames = try readFrames(path, indices: Set(indices))
        let first = try #require(frames[indices[0]])
        let expected = try Reference.ffmpegFrames(path, indices: indices, pixelFormat: "gray",
                                                  frameBytes: first.gray.width * first.gray.height)
        for (index, reference) in zip(indices, expected) {
            let gray = try #require(frames[index]).gray
            let differing = zip(gray.pixels, reference).filter { $0 != $1 }.count
            #expect(differing == 0, "\(name) frame \(index): \(differing) of \(reference.count) bytes differ")
        }
    }

    /// RGB as the command converts it: by the frame's own matrix (BT.709 for face_noface.mov) and range, on rows of
    /// 1,716 and 4,572 bytes (not a multiple of 16), and from HEVC, VP9, MPEG-4, full-range JPEG and RGBA sources.
    @Test(arguments: [
        ("single_face.mp4", [10, 71]),
        ("face_noface.mov", [0, 100]),
        ("clip.webm", [0, 29]),
        ("clip.avi", [0]),
        ("single_face.jpg", [0]),
        ("Image_with_alpha.png", [0]),
        ("rotated90.mp4", [40]),
    ])
    func colorBytesEqualFFmpegsRGB24(name: String, indices: [Int]) throws {
        let path = try Reference.media(name)
        let frames = try readFrames(path, indices: Set(indices), color: true)
        let first = try #require(frames[indices[0]]?.color)
        let expected = try Reference.ffmpegFrames(path, indices: indices, pixelFormat: "rgb24", frameBytes: first.width * first.height * 3)
        for (index, reference) in zip(indices, expected) {
            let color = try #require(frames[index]?.color)
            let differing = zip(color.pixels, reference).filter { $0 != $1 }.count
            #expect(color.pixels.count == reference.count && differing == 0, "\(name) frame \(index): \(differing) of \(reference.count) RGB bytes differ")
        }
    }

    @Test func rotatedFilesSwapDimensions() throws {
        let reader = try VideoReader(path: try Reference.media("rotated90.mp4"))
        #expect(reader.info.rotation == 270)
        #expect(reader.info.width == 360 && reader.info.height == 640)
        let frame = try #require(try reader.nextFrame())
        #expect(frame.gray.width == 360 && frame.gray.height == 640)

        let upsideDown = try VideoReader(path: try Reference.media("rotated180.mov"))
        #expect(upsideDown.info.rotation == 180)
        #expect(upsideDown.info.width == 640 && upsideDown.info.height == 360)
    }

    @Test func quarterTurnsMovePixelsLikeFFmpegsTransposeFilters() throws {
        // 3×2 image:  1 2 3
        //             4 5 6
        let image = try GrayImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        #expect(try image.rotated(.clockwise90) == GrayImage(width: 2, height: 3, pixels: [4, 1, 5, 2, 6, 3]))
        #expect(try image.rotated(.upsideDown) == GrayImage(width: 3, height: 2, pixels: [6, 5, 4, 3, 2, 1]))
        #expect(try image.rotated(.clockwise270) == GrayImage(width: 2, height: 3, pixels: [3, 6, 2, 5, 1, 4]))
        #expect(image.rotated(.none) == image)
    }
}

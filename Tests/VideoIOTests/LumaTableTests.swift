import Foundation
import Testing
@testable import VideoIO

/// The GRAY8 table (`LumaTable`): used for plain 8-bit YUV, left to swscale otherwise, and byte for byte
/// swscale's GRAY8 either way, against the `ffmpeg` command's `-pix_fmt gray`.
@Suite struct LumaTableTests {
    /// Every frame of `path` as the reader delivers it, and whether the last one's gray came through the table.
    static func grayFrames(_ path: String) throws -> (frames: [[UInt8]], table: Bool, bytes: Int) {
        let reader = try VideoReader(path: path)
        var frames: [[UInt8]] = [], bytes = 0
        while let frame = try reader.nextFrame() {
            frames.append(frame.gray.pixels)
            bytes = frame.gray.pixels.count
        }
        return (frames, reader.grayThroughTable, bytes)
    }

    @Test(arguments: [
        ("yuv420p", "tv", true), ("yuvj420p", "pc", true), ("yuv422p", "tv", true), ("yuv444p", "pc", true), ("nv12", "tv", true),
        ("yuv420p10le", "tv", false), ("rgb24", "pc", false), ("gray", "pc", false), ("yuva420p", "tv", false),
    ])
    func grayIsSwscalesWhicheverWayItIsMade(pixelFormat: String, range: String, throughTable: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("luma-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clip.nut").path
        _ = try Reference.run("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=162x90:rate=10,format=\(pixelFormat)",
                                         "-frames:v", "4", "-color_range", range, "-c:v", "rawvideo", path])
        let read = try Self.grayFrames(path)
        #expect(read.frames.count == 4)
        #expect(read.table == throughTable, "\(pixelFormat)")
        let expected = try Reference.ffmpegFrames(path, indices: Array(0..<4), pixelFormat: "gray", frameBytes: read.bytes)
        for (index, (frame, reference)) in zip(read.frames, expected).enumerated() {
            #expect(frame == reference, "\(pixelFormat) \(range) frame \(index): \(zip(frame, reference).filter { $0 != $1 }.count) bytes differ")
        }
    }

    /// yuv420p then yuv444p in one stream: the table is made again for the new format.
    @Test func aFormatChangeMidStreamMakesANewTable() throws {
        let path = try Reference.media("pixel_format_change.ts")
        let read = try Self.grayFrames(path)
        #expect(read.table)
        let expected = try Reference.ffmpegFrames(path, indices: Array(read.frames.indices), pixelFormat: "gray", frameBytes: read.bytes)
        #expect(read.frames == expected)
    }
}

/// The table as arithmetic (`AffineLuma`): found for swscale's range conversions, exact on every luma value, and
/// refused for a table that is no such rule.
@Suite struct AffineLumaTests {
    @Test func swscalesRangeConversionsAreRulesThatGiveEveryEntry() {
        // Limited to full range as swscale's fixed point computes it, the identity, and a table with clamped ends.
        func rule(_ multiplier: Int, _ offset: Int, _ shift: Int) -> [UInt8] {
            (0..<256).map { (luma: Int) -> UInt8 in UInt8(min(max((luma * multiplier + offset) >> shift, 0), 255)) }
        }
        let tables = [rule(2385, -37174, 11), rule(1, 0, 0), rule(219, 16 * 256 + 128, 8)]
        for table in tables {
            let rule = AffineLuma(table: table)
            #expect(rule != nil)
            guard let rule else { continue }
            let luma = (0..<256).map { UInt8($0) }
            var gray = [UInt8](repeating: 0, count: 256)
            luma.withUnsafeBufferPointer { source in
                gray.withUnsafeMutableBufferPointer { target in
                    rule.apply(source.baseAddress!, target.baseAddress!, count: 256)
                }
            }
            #expect(gray == table)
        }
    }

    @Test func aTableThatIsNoRuleKeepsTheTable() {
        var table = (0..<256).map { (luma: Int) -> UInt8 in UInt8(min(max((luma * 2385 - 37174) >> 11, 0), 255)) }
        table[100] &+= 1
        #expect(AffineLuma(table: table) == nil)
        #expect(AffineLuma(table: (0..<256).map { (luma: Int) -> UInt8 in UInt8(255 - luma) }) == nil)
    }
}

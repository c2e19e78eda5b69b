import Foundation
import Testing
@testable import FaceMood
import Imaging

/// cv2.resize INTER_LINEAR outputs on random 8-bit images (Tests/Fixtures/resize.golden.json, written by
/// scripts/reference/keras_goldens.py): the model input must be the reference's, byte for byte.
@Suite struct ResizeTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let width: Int, height: Int, out_width: Int, out_height: Int
            let image: [UInt8], resized: [UInt8]
        }
        let reference: String
        let cases: [Case]
    }

    @Test func matchesOpenCVByteForByte() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/resize.golden.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        #expect(golden.cases.count >= 8)
        for item in golden.cases {
            let image = try GrayImage(width: item.width, height: item.height, pixels: item.image)
            let resized = resizeLinear(image, width: item.out_width, height: item.out_height)
            let differing = zip(resized.pixels, item.resized).filter { $0 != $1 }.count
            let largest = zip(resized.pixels, item.resized).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(differing == 0, "\(item.width)x\(item.height) → \(item.out_width)x\(item.out_height): \(differing) pixels differ, by up to \(largest)")
        }
    }
}

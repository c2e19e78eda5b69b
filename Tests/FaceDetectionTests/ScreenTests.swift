import Foundation
import Imaging
import Testing
import VideoIO
@testable import FaceDetection

/// `HaarDetector.detectScreened` against the frame-wide scan it stands for (`detect` with the same size floor), on
/// every other frame of the sample videos. Its misses are bounded by this measurement, not by construction.
@Suite struct ScreenTests {
    static let videos = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov", "noface_face.mov"]

    @Test func theScreenFindsTheFacesOfTheFrameWideScan() throws {
        let detector = HaarDetector(cascade: try GoldenDetectionTests.cascade("haarcascade_frontalface_default.xml"))
        var frames = 0, withFace = 0, missed = 0, extra = 0, sameBox = 0
        for video in Self.videos {
            let reader = try VideoReader(path: GoldenDetectionTests.root.appendingPathComponent("samples/media/" + video).path)
            while let frame = try reader.nextFrame() {
                guard frame.index % 2 == 0 else { continue }
                let scanned = detector.detect(frame.gray, sizeFloor: 0.6).first
                let screened = detector.detectScreened(frame.gray, sizeFloor: 0.6).first
                frames += 1
                if scanned != nil { withFace += 1 }
                if scanned != nil && screened == nil { missed += 1 }
                if scanned == nil && screened != nil { extra += 1 }
                if scanned == screened { sameBox += 1 }
            }
        }
        print("screened frame-wide detection against the scan of every window: \(frames) frames, \(withFace) with a face; "
              + "\(missed) faces missed, \(extra) found that the scan does not find, the same largest box on \(sameBox)")
        #expect(withFace >= 300 && frames - withFace >= 100, "enough frames with and without faces to measure")
        #expect(Double(missed) <= 0.01 * Double(withFace))
        #expect(extra == 0, "its faces come from windows the scan also evaluates, so a face the scan lacks would be a grouping artefact")
        #expect(Double(sameBox) >= 0.99 * Double(frames))
    }
}

import FaceMood
import FuzzSupport

// OpenCV cascade XML (both formats) → HaarCascade; a cascade that loads is also run on a small image. The
// bytes go through a file because the detector fingerprints its cascade's file.
let image = try! GrayImage(width: 48, height: 40, pixels: (0..<(48 * 40)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
fuzz { data in
    guard let cascade = try? HaarCascade(path: temporaryFile(data, name: "fuzz.xml")),
          let detector = try? HaarFaceDetector(cascade: cascade, parameters: .init(minNeighbors: 1, minSize: 0), mode: .exact)
    else { return }
    _ = detector.makeSession().detectFaces(in: image, previousFace: nil)
}

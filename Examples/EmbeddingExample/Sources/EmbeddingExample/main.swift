import FaceMood
import Foundation

// Usage: EmbeddingExample VIDEO [FRAMES]
// Prints the emotion of the first FRAMES frames (default 10) of VIDEO, then analyses one picture that the
// program decodes itself (here: a synthetic gray gradient, which holds no face).
// The bundled model and cascade are found through FACEMOOD_MODELS.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: EmbeddingExample VIDEO [FRAMES]\n".utf8))
    exit(64)
}
let limit = arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10

do {
    let analyzer = try EmotionAnalyzer()
    var summary = EmotionSummary(labels: analyzer.labels)
    for try await result in try analyzer.results(forFile: arguments[1]) {
        summary.add(result)
        if let face = result.face {
            print(String(format: "frame %d at %.3f s: %@ (%.2f), face at %@", result.frame, result.time, face.emotion,
                         face.confidence, face.box.description))
        } else {
            print(String(format: "frame %d at %.3f s: no face", result.frame, result.time))
        }
        if result.frame + 1 == limit { break }
    }
    print("\(summary.frames) frames, \(summary.framesWithFace) with a face, dominant: \(summary.dominantEmotion ?? "none")")

    let width = 160, height = 120
    let gradient = try GrayImage(width: width, height: height, pixels: (0..<width * height).map { UInt8($0 % width) })
    let still = try analyzer.analyze(gradient)
    print("gradient: \(still.faces.count) faces")
} catch {
    FileHandle.standardError.write(Data("EmbeddingExample: \(error.localizedDescription)\n".utf8))
    exit(1)
}

import Foundation
@testable import FaceMood

enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func repository(_ relative: String) throws -> String {
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestSetupError("\(relative) is missing: run 'make test' (it fetches assets and makes test media)")
        }
        return path
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// The rows of a CSV timeline as `analyze` wrote them.
func timelineRows(csv path: String) throws -> [TimelineRow] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
        let f = CSV.parse(line: String(line))
        let hasFace = !f[8].isEmpty
        return TimelineRow(frame: Int(f[0])!, time: Double(f[1])!, duration: Double(f[2])!, faces: Int(f[3])!,
                           box: hasFace ? FaceBox(x: Int(f[4])!, y: Int(f[5])!, width: Int(f[6])!, height: Int(f[7])!) : nil,
                           emotion: hasFace ? f[8] : nil, confidence: hasFace ? Double(f[9]) : nil,
                           probabilities: hasFace ? f[10...].map { Double($0)! } : nil)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

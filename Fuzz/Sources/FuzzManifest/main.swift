import Corpus
import Foundation
import FuzzSupport

// A batch manifest, and a JSON timeline read the way --skip-done reads it (head and summary only).
let file = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-manifest-\(getpid())").path
fuzz { data in
    guard FileManager.default.createFile(atPath: file, contents: data) else { return }
    if let table = try? BatchManifest.read(file: file) { _ = table.text() }
    if let recorded = try? RecordedAnalysis(jsonFile: file, labels: ["angry", "happy"]) {
        _ = recorded.mismatch(input: file, settings: [("detector", "{\"name\":\"haar\"}"), ("sampling", "null")])
    }
}

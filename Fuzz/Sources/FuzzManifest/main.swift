import Corpus
import Foundation
import FuzzSupport

// A batch manifest, and a JSON timeline read the way --skip-done reads it (head and summary only).
fuzz { data in
    let file = temporaryFile(data, name: "fuzz-manifest.csv")
    if let table = try? BatchManifest.read(file: file) { _ = table.text() }
    if let recorded = try? RecordedAnalysis(jsonFile: file, labels: ["angry", "happy"]) {
        _ = recorded.mismatch(input: file, settings: [("detector", "{\"name\":\"haar\"}"), ("sampling", "null")])
    }
}

import Foundation

/// Finds the default model and cascade without flags: from `FACEMOOD_MODELS`, beside an installed binary
/// (`<prefix>/share/facemood/models`), in the repository a development build runs from, or in `./models`.
public enum DefaultAssets {
    public static let modelFile = "emotion_model.hdf5"
    public static let cascadeFile = "haarcascade_frontalface_default.xml"

    public static var modelPath: String { locate(modelFile) }
    public static var cascadePath: String { locate(cascadeFile) }

    /// The first existing candidate, or the repository-relative path (so the error names a sensible place).
    public static func locate(_ file: String) -> String {
        let candidates = searchFolders().map { $0.appendingPathComponent(file).path }
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? "models/" + file
    }

    static func searchFolders() -> [URL] {
        var folders: [URL] = []
        if let override = ProcessInfo.processInfo.environment["FACEMOOD_MODELS"], !override.isEmpty {
            folders.append(URL(fileURLWithPath: override))
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let binFolder = executable.deletingLastPathComponent()
            folders.append(binFolder.deletingLastPathComponent().appendingPathComponent("share/facemood/models"))
            // A development build lives in <repository>/.build/<triple>/<configuration>/.
            var folder = binFolder
            for _ in 0..<4 {
                folders.append(folder.appendingPathComponent("models"))
                folder = folder.deletingLastPathComponent()
            }
        }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("models"))
        return folders
    }
}

import FaceMood
import Foundation
import TimelineOutputs

/// One input of a batch: the path to read, and the path its outputs mirror under an output folder.
public struct CorpusItem: Sendable, Equatable {
    /// As the user spelled it (or the folder they named, joined with the path found under it).
    public var input: String
    /// The input's path relative to the folder it was found under, or to the common folder of the files
    /// named one by one; `stdin` for standard input.
    public var relativePath: String
    /// Set when another input has the same path but for its extension (`talk.mp4` and `talk.mov`): its
    /// outputs then keep the extension (`talk.mp4.emotions.csv`) so that the two do not collide.
    public var keepsExtension: Bool
    /// Standard input, a network stream or a capture device: nothing on disk to put the outputs beside, so
    /// without a folder they go to the current one, named by `relativePath`.
    public var isStream: Bool

    public init(input: String, relativePath: String, keepsExtension: Bool = false, isStream: Bool = false) {
        self.input = input
        self.relativePath = relativePath
        self.keepsExtension = keepsExtension
        self.isStream = isStream
    }

    /// A network stream or a capture device (`format` names the device), its outputs named after the URL's
    /// last path component or host and port, or after the device: `live.ts` → `live`, `udp://127.0.0.1:5000`
    /// → `udp-127.0.0.1-5000`, `/dev/video0` with v4l2 → `v4l2-video0`, a lavfi graph → `lavfi`.
    public static func stream(_ input: String, format: String? = nil) -> CorpusItem {
        var name: String
        if let format {
            // A device path or display names the outputs; a filter graph or a long spec does not.
            let device = (input as NSString).lastPathComponent
            name = device.isEmpty || input.contains("=") || device.count > 40 ? format : format + "-" + device
        } else if let url = URL(string: input), let host = url.host {
            let last = url.deletingPathExtension().lastPathComponent
            name = !url.path.isEmpty && url.path != "/" && !last.isEmpty ? last
                : [url.scheme ?? "stream", host, url.port.map(String.init)].compactMap { $0 }.joined(separator: "-")
        } else {
            name = "stream"
        }
        let safe = String(name.map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || "._-+,".contains($0) ? $0 : "_" }.prefix(80))
        return CorpusItem(input: input, relativePath: safe.trimmingPrefix(".").isEmpty ? "stream" : String(safe.trimmingPrefix(".")),
                          keepsExtension: true, isStream: true)
    }

    /// Where this input's outputs go, without their suffixes: `<folder>/<relative path without extension>`,
    /// or beside the input without a folder.
    public func outputBase(folder: String?) -> String {
        let stem = keepsExtension ? relativePath : (relativePath as NSString).deletingPathExtension
        guard let folder else {
            guard !isStream else { return stem }
            return keepsExtension ? input : (input as NSString).deletingPathExtension
        }
        return folder.hasSuffix("/") ? folder + stem : folder + "/" + stem
    }
}

/// Turns files, folders and list files into the sorted list of inputs a batch analyses.
public enum CorpusInputs {

    /// Extensions (lower case) a folder's files must have to be analysed.
    public static let videoExtensions: Set<String> = [
        "mp4", "m4v", "mov", "mkv", "webm", "avi", "wmv", "flv", "mpg", "mpeg", "ts", "mts", "m2ts", "3gp", "ogv", "mxf",
        "dv", "nut", "y4m",
    ]
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp"]
    /// The annotated videos facemood writes, which a folder scan leaves alone.
    static let overlaySuffixes = [".overlay.mp4", ".overlay.mov", ".overlay.mkv"]

    /// The inputs named by `arguments` (files, folders, `-`) and by the lines of `lists`, sorted by path
    /// (byte order) without duplicates (the same file reached twice is analysed once). Folders are searched
    /// recursively for video and image files, skipping hidden entries, facemood's own overlay videos,
    /// symbolic links to folders, and `excluding` (the output folder). A named file that does not exist is
    /// kept, so that it fails as an input of its own.
    public static func discover(arguments: [String], listContents: [(name: String, text: String)] = [],
                                excluding: String? = nil) throws -> [CorpusItem] {
        var named: [String] = []
        var folders: [String] = []
        var items: [CorpusItem] = []
        let entries = arguments + listContents.flatMap { list in
            list.text.split(whereSeparator: \.isNewline).map { String($0) }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        for entry in entries {
            if entry == FileFrameSource.standardInput {
                items.append(CorpusItem(input: entry, relativePath: FileFrameSource.displayName(entry), isStream: true))
            } else if InputSettings.isNetworkURL(entry) {
                items.append(CorpusItem.stream(entry))
            } else if isFolder(entry) {
                folders.append(entry)
            } else {
                named.append(entry)
            }
        }
        let excluded = excluding.map(AnalysisOutputs.canonical)
        for folder in folders {
            for relative in try files(under: folder, excluding: excluded) {
                items.append(CorpusItem(input: join(folder, relative), relativePath: relative))
            }
        }
        let absolute = named.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let prefix = commonFolder(absolute)
        for (path, full) in zip(named, absolute) {
            items.append(CorpusItem(input: path, relativePath: String(full.dropFirst(prefix.count).trimmingPrefix("/"))))
        }
        items.sort { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        var seen = Set<String>()
        items = items.filter { item in
            item.isStream || seen.insert(AnalysisOutputs.canonical(item.input)).inserted
        }
        var stems: [String: Int] = [:]
        for item in items where !item.isStream { stems[(item.relativePath as NSString).deletingPathExtension, default: 0] += 1 }
        for index in items.indices where !items[index].isStream && stems[(items[index].relativePath as NSString).deletingPathExtension, default: 0] > 1 {
            items[index].keepsExtension = true
        }
        return items
    }

    /// Whether a file of this name is one this tool analyses, by its extension (facemood's overlays are not).
    public static func isMedia(_ name: String) -> Bool {
        let lower = name.lowercased()
        guard !overlaySuffixes.contains(where: lower.hasSuffix) else { return false }
        let pathExtension = (lower as NSString).pathExtension
        return videoExtensions.contains(pathExtension) || imageExtensions.contains(pathExtension)
    }

    public static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Media files under `folder`, as paths relative to it.
    static func files(under folder: String, excluding excluded: String?) throws -> [String] {
        var found: [String] = []
        try walk(folder, skippingFolder: { path in excluded.map { AnalysisOutputs.canonical(path) == $0 } ?? false }) { relative in
            if isMedia((relative as NSString).lastPathComponent) { found.append(relative) }
        }
        return found
    }

    /// Calls `file` with the path, relative to `folder`, of every file under it: hidden entries are left out,
    /// and so are links to folders (no cycles) and the folders `skippingFolder` names.
    static func walk(_ folder: String, skippingFolder: (String) -> Bool = { _ in false }, file: (String) -> Void) throws {
        var pending = [""]
        while let relative = pending.popLast() {
            let path = relative.isEmpty ? folder : join(folder, relative)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw CorpusError("\(path): expected a readable folder, found one that cannot be listed (\(reason(error)))")
            }
            for name in names where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                let childPath = join(folder, child)
                var link = stat()
                guard lstat(childPath, &link) == 0 else { continue }
                if (link.st_mode & S_IFMT) == S_IFDIR {
                    if !skippingFolder(childPath) { pending.append(child) }
                } else if (link.st_mode & S_IFMT) != S_IFLNK || !isFolder(childPath) {
                    file(child)
                }
            }
        }
    }

    public static func join(_ folder: String, _ relative: String) -> String {
        folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
    }

    /// The deepest folder holding every path (`/` at least).
    static func commonFolder(_ paths: [String]) -> String {
        guard let first = paths.first else { return "" }
        var common = Array((first as NSString).deletingLastPathComponent.split(separator: "/"))
        for path in paths.dropFirst() {
            let parts = (path as NSString).deletingLastPathComponent.split(separator: "/")
            var shared = 0
            while shared < min(common.count, parts.count) && common[shared] == parts[shared] { shared += 1 }
            common.removeLast(common.count - shared)
        }
        return "/" + common.joined(separator: "/")
    }

    public static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(code))) }
        return error.localizedDescription
    }
}

/// A batch that cannot start: no input, a bad shard, an unreadable list or folder.
public struct CorpusError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}

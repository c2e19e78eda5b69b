import Corpus
import Foundation
import Testing

@Suite struct CorpusInputsTests {
    /// A folder tree: `root/a/talk.mp4`, `root/a/talk.mov`, `root/b/c/clip.MKV`, `root/b/notes.txt`,
    /// `root/.hidden/x.mp4`, `root/a/talk.overlay.mp4`, `root/out/old.mp4`, `root/link -> root/b`.
    static func tree() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-corpus-\(UUID().uuidString)").path
        for folder in ["a", "b/c", ".hidden", "out"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["a/talk.mp4", "a/talk.mov", "b/c/clip.MKV", "b/notes.txt", ".hidden/x.mp4", "a/talk.overlay.mp4", "out/old.mp4"] {
            _ = FileManager.default.createFile(atPath: root + "/" + file, contents: Data("x".utf8))
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/b")
        return root
    }

    @Test func streamsAndDevicesNameTheirOutputsInTheCurrentFolder() throws {
        let cases: [(input: String, format: String?, base: String)] = [
            ("http://127.0.0.1:8080/live/stream.ts", nil, "stream"),
            ("udp://127.0.0.1:5000", nil, "udp-127.0.0.1-5000"),
            ("rtsp://camera.local/", nil, "rtsp-camera.local"),
            ("/dev/video0", "v4l2", "v4l2-video0"),
            (":99.0+0,0", "x11grab", "x11grab-_99.0+0,0"),
            ("movie=a.mp4,realtime", "lavfi", "lavfi"),
            ("-", nil, "stdin"),
        ]
        for (input, format, base) in cases {
            let item = input == "-" ? try CorpusInputs.discover(arguments: ["-"])[0] : CorpusItem.stream(input, format: format)
            #expect(item.isStream)
            #expect(item.outputBase(folder: nil) == base, "\(input)")
            #expect(item.outputBase(folder: "out") == "out/" + base, "\(input)")
        }
        // A URL among files is kept as it is, not looked for on disk.
        let items = try CorpusInputs.discover(arguments: ["udp://127.0.0.1:5000", "udp://127.0.0.1:5000"])
        #expect(items.map(\.input) == ["udp://127.0.0.1:5000", "udp://127.0.0.1:5000"])
    }

    @Test func foldersAreSearchedRecursivelyInByteOrder() throws {
        let root = try Self.tree()
        let items = try CorpusInputs.discover(arguments: [root], excluding: root + "/out")
        #expect(items.map(\.relativePath) == ["a/talk.mov", "a/talk.mp4", "b/c/clip.MKV"],
                "hidden entries, overlays, the output folder, other extensions and links to folders are left out")
        #expect(items.map(\.input) == items.map { root + "/" + $0.relativePath })
    }

    @Test func outputsMirrorTheInputTreeAndSameStemsKeepTheirExtension() throws {
        let root = try Self.tree()
        let items = try CorpusInputs.discover(arguments: [root + "/"], excluding: root + "/out")
        #expect(items.map { $0.outputBase(folder: "/o") } == ["/o/a/talk.mov", "/o/a/talk.mp4", "/o/b/c/clip"])
        #expect(items.map { $0.outputBase(folder: nil) } == [root + "/a/talk.mov", root + "/a/talk.mp4", root + "/b/c/clip"])
    }

    @Test func namedFilesAreRelativeToTheirCommonFolder() throws {
        let root = try Self.tree()
        let items = try CorpusInputs.discover(arguments: [root + "/b/c/clip.MKV"],
                                              listContents: [("list", "\(root)/a/talk.mp4\n\n\(root)/a/talk.mp4\n")])
        #expect(items.map(\.relativePath) == ["a/talk.mp4", "b/c/clip.MKV"], "duplicates are analysed once")
        let single = try CorpusInputs.discover(arguments: [root + "/b/c/clip.MKV"])
        #expect(single.map { $0.outputBase(folder: "out") } == ["out/clip"], "one file: its name alone, as before")
    }

    @Test func aMissingNamedFileIsKeptAndAnUnreadableFolderIsAnError() throws {
        let items = try CorpusInputs.discover(arguments: ["/nonexistent/clip.mp4"])
        #expect(items.map(\.input) == ["/nonexistent/clip.mp4"])
        guard getuid() != 0 else { return }  // root reads any folder
        let root = try Self.tree()
        chmod(root + "/b", 0)
        defer { chmod(root + "/b", 0o755) }
        #expect(throws: CorpusError.self) { try CorpusInputs.discover(arguments: [root]) }
    }
}

@Suite struct OutputNamingTests {
    static func base(_ input: String, folder: String?) throws -> String {
        try CorpusInputs.discover(arguments: [input])[0].outputBase(folder: folder)
    }

    @Test func oneFileSitsBesideItsInputOrInTheFolder() throws {
        #expect(try Self.base("clips/a.b.mp4", folder: nil) == "clips/a.b")
        #expect(try Self.base("talk.mov", folder: nil) == "talk")
        #expect(try Self.base("/data/talk.mov", folder: "out") == "out/talk")
        #expect(try Self.base("/data/talk.mov", folder: "out/") == "out/talk")
        #expect(try Self.base("/talk.mov", folder: nil) == "/talk")
        #expect(try Self.base("-", folder: nil) == "stdin")
        #expect(try Self.base("-", folder: "out") == "out/stdin")
    }
}

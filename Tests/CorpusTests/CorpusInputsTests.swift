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

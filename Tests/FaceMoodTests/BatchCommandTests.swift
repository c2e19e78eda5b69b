import Foundation
import Testing

/// `analyze` over many inputs: folders, mirrored outputs, manifests, resume, shards, exit codes, sampling.
@Suite(.serialized) struct BatchCommandTests {
    /// `corpus/a/single_face.mp4`, `corpus/b/single_face.mp4`, `corpus/b/face.jpg`, `corpus/b/readme.txt`.
    static func corpus() throws -> URL {
        let folder = try TestPaths.temporaryFolder()
        for sub in ["corpus/a", "corpus/b"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let video = try TestPaths.repository("samples/media/single_face.mp4")
        try FileManager.default.copyItem(atPath: video, toPath: folder.appendingPathComponent("corpus/a/single_face.mp4").path)
        try FileManager.default.copyItem(atPath: video, toPath: folder.appendingPathComponent("corpus/b/single_face.mp4").path)
        try FileManager.default.copyItem(atPath: try TestPaths.repository("samples/media/single_face.jpg"),
                                         toPath: folder.appendingPathComponent("corpus/b/face.jpg").path)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("corpus/b/readme.txt").path, contents: Data("x".utf8))
        return folder
    }

    static func manifestRows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func modified(_ path: String) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    @Test func aFolderIsAnalysedIntoAMirroredTreeWithAManifestAndJSONLines() throws {
        let root = try Self.corpus()
        let corpus = root.appendingPathComponent("corpus").path, out = root.appendingPathComponent("out").path
        let result = try FaceMoodBinary.run(["analyze", corpus, "-o", out, "--progress", "jsonl", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        for file in ["a/single_face.emotions.csv", "a/single_face.emotions.json", "b/single_face.emotions.csv", "b/face.emotions.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let rows = try Self.manifestRows(out + "/facemood-batch.csv")
        #expect(rows.count == 4)
        #expect(rows[0].prefix(8) == ["input", "status", "error", "frames", "duration_s", "face_ratio", "face_s", "dominant_emotion"])
        #expect(rows.dropFirst().map { $0[0] } == ["\(corpus)/a/single_face.mp4", "\(corpus)/b/face.jpg", "\(corpus)/b/single_face.mp4"])
        #expect(rows.dropFirst().map { $0[1] } == ["done", "done", "done"])
        #expect(rows[1][3] == "72" && rows[1][rows[0].firstIndex(of: "json")!] == "a/single_face.emotions.json")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3, "stdout holds only the JSON lines; the tables go to stderr")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["status"] as? String == "done")
        }
        #expect(result.stderr.contains("dominant: happy"))
    }

    @Test func skipDoneSkipsFinishedInputsAndAnalysesChangedOnesAgain() throws {
        let root = try Self.corpus()
        let corpus = root.appendingPathComponent("corpus").path, out = root.appendingPathComponent("out").path
        #expect(try FaceMoodBinary.run(["analyze", corpus, "-o", out, "--quiet"]).status == 0)
        let json = out + "/a/single_face.emotions.json"
        let written = try Self.modified(json)

        let again = try FaceMoodBinary.run(["analyze", corpus, "-o", out, "--skip-done"])
        #expect(again.status == 0)
        #expect(try Self.manifestRows(out + "/facemood-batch.csv").dropFirst().map { $0[1] } == ["skipped", "skipped", "skipped"])
        #expect(try Self.modified(json) == written)
        #expect(try Self.manifestRows(out + "/facemood-batch.csv")[1][3] == "72", "a skipped row carries the recorded summary")

        // A changed input, a missing output and other settings are analysed again.
        Thread.sleep(forTimeInterval: 0.01)
        _ = FileManager.default.createFile(atPath: corpus + "/b/face.jpg", contents: FileManager.default.contents(atPath: corpus + "/b/face.jpg"))
        try FileManager.default.removeItem(atPath: out + "/a/single_face.emotions.csv")
        let partial = try FaceMoodBinary.run(["analyze", corpus, "-o", out, "--skip-done"])
        #expect(try Self.manifestRows(out + "/facemood-batch.csv").dropFirst().map { $0[1] } == ["done", "done", "skipped"])
        #expect(partial.stderr.contains("\(corpus)/b/face.jpg: analysing again: \(out)/b/face.emotions.json: the input changed (size or modification time)"))
        let margin = try FaceMoodBinary.run(["analyze", corpus, "-o", out, "--skip-done", "--margin", "3", "--quiet"])
        #expect(margin.status == 0)
        #expect(try Self.manifestRows(out + "/facemood-batch.csv").dropFirst().map { $0[1] } == ["done", "done", "done"])
    }

    @Test func shardsTogetherWriteWhatOneRunWrites() throws {
        let root = try Self.corpus()
        let corpus = root.appendingPathComponent("corpus").path
        let whole = root.appendingPathComponent("whole").path, sharded = root.appendingPathComponent("sharded").path
        #expect(try FaceMoodBinary.run(["analyze", corpus, "-o", whole, "--quiet"]).status == 0)
        for index in 0..<2 {
            #expect(try FaceMoodBinary.run(["analyze", corpus, "-o", sharded, "--shard", "\(index)/2", "--quiet"]).status == 0)
        }
        #expect(try Self.manifestRows(sharded + "/facemood-batch-0-of-2.csv").count == 3)
        #expect(try Self.manifestRows(sharded + "/facemood-batch-1-of-2.csv").count == 2)
        let merged = try FaceMoodBinary.run(["merge", sharded + "/facemood-batch-0-of-2.csv", sharded + "/facemood-batch-1-of-2.csv"])
        #expect(merged.status == 0)
        func withoutSeconds(_ text: String) -> [String] {
            text.split(separator: "\n").map { String($0[..<$0.lastIndex(of: ",")!]) }
        }
        #expect(withoutSeconds(merged.stdout) == withoutSeconds(try String(contentsOfFile: whole + "/facemood-batch.csv", encoding: .utf8)))
        for file in ["a/single_face.emotions.csv", "a/single_face.emotions.json", "b/single_face.emotions.json", "b/face.emotions.csv"] {
            #expect(FileManager.default.contents(atPath: whole + "/" + file) == FileManager.default.contents(atPath: sharded + "/" + file), "\(file)")
        }
        let duplicate = try FaceMoodBinary.run(["merge", sharded + "/facemood-batch-0-of-2.csv", sharded + "/facemood-batch-0-of-2.csv"])
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.hasPrefix("facemood: \(sharded)/facemood-batch-0-of-2.csv: expected each input in one manifest, found \(corpus)/a/single_face.mp4 in"))
    }

    @Test func exitCodesTellRetryPoliciesWhatHappened() throws {
        let root = try Self.corpus()
        let empty = root.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let none = try FaceMoodBinary.run(["analyze", empty])
        #expect(none.status == 66)
        #expect(none.stderr == "facemood: expected video or image files, found none in \(empty)\n")
        let missing = try FaceMoodBinary.run(["analyze", "/nonexistent/clip.mp4"])
        #expect(missing.status == 66)
        #expect(missing.stderr == "facemood: /nonexistent/clip.mp4: expected a video or image file or a folder, found nothing at this path\n")
        let auto = try FaceMoodBinary.run(["analyze", root.path, "--shard", "auto"])
        #expect(auto.status == 64)
        #expect(auto.stderr.hasPrefix("facemood: --shard auto: expected SLURM_ARRAY_TASK_ID (sbatch --array) or JOB_COMPLETION_INDEX"))
        #expect(try FaceMoodBinary.run(["analyze", root.path, "--shard", "2/2"]).status == 64)
        let list = root.appendingPathComponent("list.txt").path
        try "\(root.path)/corpus/b/face.jpg\n\(root.path)/corpus/b/readme.txt\n".write(toFile: list, atomically: true, encoding: .utf8)
        let some = try FaceMoodBinary.run(["analyze", "--from-list", list, "-o", root.appendingPathComponent("out").path, "--quiet"])
        #expect(some.status == 1)
        #expect(try Self.manifestRows(root.appendingPathComponent("out/facemood-batch.csv").path).dropFirst().map { $0[1] } == ["done", "failed"])
    }

    @Test func sampledAnalysisCoversTheVideoWithFewerRows() throws {
        let folder = try TestPaths.temporaryFolder()
        let video = try TestPaths.repository("samples/media/single_face.mp4")
        let result = try FaceMoodBinary.run(["analyze", video, "-o", folder.path, "--sample-fps", "2", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try #require(FileManager.default.contents(atPath: folder.path + "/single_face.emotions.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let frames = try #require(json["frames"] as? [[String: Any]])
        #expect(frames.map { $0["frame"] as? Int } == [0, 15, 30, 45, 60])
        #expect((json["sampling"] as? [String: Any])?["frames_per_second"] as? Double == 2)
        #expect((json["decoding"] as? [String: Any])?["frames_left_out"] as? Int == 67)
        let duration = try #require((json["summary"] as? [String: Any])?["duration_s"] as? Double)
        // Each written duration is rounded to 1e-6: 72 rows of 1/30 s lose 2.4e-5 in all, 5 rows of 0.5 s almost nothing.
        #expect(abs(duration - 2.4) < 5e-6, "the rows' durations still add up to the video's")
    }

    @Test func summarizeTabulatesACorpusWithATotalWeightedByFaceTime() throws {
        let root = try Self.corpus()
        let out = root.appendingPathComponent("out").path
        #expect(try FaceMoodBinary.run(["analyze", root.appendingPathComponent("corpus").path, "-o", out, "--quiet"]).status == 0)
        let table = try FaceMoodBinary.run(["summarize", out, "--csv", "-"])
        #expect(table.status == 0)
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { $0[0] } == ["row", "video", "video", "video", "total"])
        #expect(rows[4][2] == "145" && rows[4][6] == "happy")
        let fromManifest = try FaceMoodBinary.run(["summarize", out + "/facemood-batch.csv", "--csv", "-"])
        #expect(fromManifest.stdout.split(separator: "\n").last == table.stdout.split(separator: "\n").last)
    }
}

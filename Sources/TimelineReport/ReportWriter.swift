import FaceMood
import Foundation
import TimelineOutputs

/// `facemood report`: a static HTML report in one folder. `index.html` lists the videos (duration, face
/// ratio, dominant emotion, a bar of shares, a sparkline; sortable by any column); each video has a page
/// with its video (the overlay when there is one), the timeline chart with a playhead that follows playback
/// (a click on the chart seeks), and its summary table. Everything is inline or beside it: no network,
/// and it works from `file://`. Videos are linked by relative paths, not copied.
public enum ReportWriter {
    /// Writes the report of `videos` into `folder` (created if missing); returns the pages written, index first.
    @discardableResult
    public static func write(_ videos: [VideoReport], to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var pageNames: [String] = []
        var used = Set<String>(["index"])
        for video in videos {
            var name = safeName(video.title)
            var suffix = 2
            while used.contains(name) {
                name = safeName(video.title) + "-\(suffix)"
                suffix += 1
            }
            used.insert(name)
            pageNames.append(name + ".html")
        }
        var written: [String] = []
        let index = (folder as NSString).appendingPathComponent("index.html")
        try AtomicTextFile.write(indexPage(videos, pages: pageNames), to: index)
        written.append(index)
        for (video, page) in zip(videos, pageNames) {
            let path = (folder as NSString).appendingPathComponent(page)
            try AtomicTextFile.write(videoPage(video, folder: folder), to: path)
            written.append(path)
        }
        return written
    }

    static func safeName(_ title: String) -> String {
        let name = String(title.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" }.prefix(80))
        return name.isEmpty || name.hasPrefix(".") ? "video" + name : name
    }

    // MARK: - Pages

    static func indexPage(_ videos: [VideoReport], pages: [String]) -> String {
        var rows: [String] = []
        for (video, page) in zip(videos, pages) {
            let summary = video.summary
            let shares = summary.labels.indices.map { index -> String in
                let share = summary.shareOfFaceTime(index)
                return share > 0 ? "<span style=\"width:\(String(format: "%.2f", share * 100))%;background:\(video.plot.color(ofLabel: index))\" title=\"\(html(summary.labels[index])) \(percent(share))\"></span>" : ""
            }.joined()
            rows.append("""
                <tr><td data-sort="\(html(video.title))"><a href="\(html(page))">\(html(video.title))</a></td>\
                <td data-sort="\(summary.duration)">\(clock(summary.duration))</td>\
                <td data-sort="\(summary.faceRatio)">\(percent(summary.faceRatio))</td>\
                <td data-sort="\(html(summary.dominantEmotion ?? ""))">\(html(summary.dominantEmotion ?? "—"))</td>\
                <td class="shares" data-sort="\(summary.dominantEmotion.flatMap { summary.labels.firstIndex(of: $0) }.map { summary.shareOfFaceTime($0) } ?? 0)"><div class="bar">\(shares)</div></td>\
                <td>\(video.plot.sparkline(width: 160, height: 18))</td></tr>
                """)
        }
        let total = videos.reduce(0.0) { $0 + $1.summary.duration }
        return document(title: "facemood report", body: """
            <h1>facemood report</h1>
            <p>\(videos.count) video\(videos.count == 1 ? "" : "s"), \(clock(total)) in all. Click a column's title to sort.</p>
            <table id="videos" class="sortable">
            <thead><tr><th>video</th><th>duration</th><th>face</th><th>dominant emotion</th><th>share of face time</th><th>timeline</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            <script>\(ReportAssets.sortScript)</script>
            """)
    }

    static func videoPage(_ video: VideoReport, folder: String) -> String {
        let summary = video.summary
        let media = video.media.map { relativePath(from: folder, to: $0) }
        let player = media.map { "<video id=\"player\" controls preload=\"auto\" src=\"\(html(percentEncoded($0)))\"></video>" }
            ?? "<p class=\"missing\">The video was not found beside the timeline (no overlay, and the analysed input has moved).</p>"
        var table = ["<table id=\"summary\"><thead><tr><th>emotion</th><th>frames</th><th>seconds</th><th>share of face time</th><th>mean probability</th><th>longest run</th></tr></thead><tbody>"]
        for index in summary.labels.indices {
            table.append("""
                <tr><td><span class="swatch" style="background:\(video.plot.color(ofLabel: index))"></span>\(html(summary.labels[index]))</td>\
                <td>\(summary.dominantFrames[index])</td><td>\(String(format: "%.3f", summary.dominantSeconds[index]))</td>\
                <td>\(percent(summary.shareOfFaceTime(index)))</td><td>\(String(format: "%.4f", summary.meanProbability(index)))</td>\
                <td>\(String(format: "%.3f", summary.longestRuns[index])) s</td></tr>
                """)
        }
        table.append("</tbody></table>")
        return document(title: video.title + " — facemood", body: """
            <p><a href="index.html">← all videos</a></p>
            <h1>\(html(video.title))</h1>
            <p>\(summary.frames) frames, \(clock(summary.duration)); a face in \(percent(summary.faceRatio)) of frames; dominant emotion \
            \(html(summary.dominantEmotion ?? "none")). Timeline: \(html(video.timeline)).</p>
            \(player)
            <div id="chart" title="Click to seek">\(video.plot.svg(title: video.title))</div>
            \(table.joined(separator: "\n"))
            <script>\(ReportAssets.playheadScript)</script>
            """)
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="\(FaceMoodTool.name) \(FaceMoodTool.version)">
        <title>\(html(title))</title>
        <style>\(ReportAssets.style)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    // MARK: - Text

    static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    /// `m:ss`, or `h:mm:ss` past an hour.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60) : String(format: "%d:%02d", whole / 60, whole % 60)
    }

    /// Each path segment percent-encoded for a URL (spaces, `#`, `?` in file names).
    static func percentEncoded(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            String(segment).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String(segment)
        }.joined(separator: "/")
    }

    /// `file` relative to `folder`, both resolved to absolute paths (`../out/talk.overlay.mp4`).
    static func relativePath(from folder: String, to file: String) -> String {
        let base = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let target = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().pathComponents
        var common = 0
        while common < base.count && common < target.count && base[common] == target[common] { common += 1 }
        return (Array(repeating: "..", count: base.count - common) + target[common...]).joined(separator: "/")
    }
}

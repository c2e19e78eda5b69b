import FaceMood
import Foundation
import Overlay

/// The emotion timeline as an SVG chart: each label's probability over time (its mean per pixel column as a
/// line, its minimum to maximum as a faint band) in the overlay's colours, the dominant emotion as a ribbon
/// below, stretches without a face shaded, a time axis in m:ss (h:mm:ss past an hour) and a legend in model
/// order.
///
/// Rows are aggregated as they arrive into at most `TimelinePlot.Layout.plotWidth` time bins: when the
/// timeline outgrows them, neighbouring bins merge and each bin's span doubles. A two-hour video makes the
/// same small file as a two-minute one, and memory does not grow with the video's length.
public final class TimelinePlot {
    /// Sizes in SVG user units (pixels).
    public enum Layout {
        public static let width = 1200
        public static let plotLeft = 56
        public static let plotWidth = 1104
        public static let plotTop = 40
        public static let plotHeight = 280
        public static let ribbonTop = 332
        public static let ribbonHeight = 18
        public static let axisTop = 356
        public static let height = 420
    }

    struct Bin {
        var seconds = 0.0
        var faceSeconds = 0.0
        /// Per label: duration-weighted sums, minimum and maximum of the probability over face rows.
        var sums: [Double]
        var minimums: [Double]
        var maximums: [Double]
        /// Per label: seconds as the dominant emotion.
        var dominantSeconds: [Double]

        init(labels: Int) {
            sums = Array(repeating: 0, count: labels)
            minimums = Array(repeating: .infinity, count: labels)
            maximums = Array(repeating: -.infinity, count: labels)
            dominantSeconds = Array(repeating: 0, count: labels)
        }

        mutating func merge(_ other: Bin) {
            seconds += other.seconds
            faceSeconds += other.faceSeconds
            for label in sums.indices {
                sums[label] += other.sums[label]
                minimums[label] = min(minimums[label], other.minimums[label])
                maximums[label] = max(maximums[label], other.maximums[label])
                dominantSeconds[label] += other.dominantSeconds[label]
            }
        }

        var hasFace: Bool { faceSeconds > 0 }
        /// A bin is shaded as face-free when most of its time has no face.
        var mostlyWithoutFace: Bool { faceSeconds < seconds / 2 }
    }

    public let labels: [String]
    private var bins: [Bin] = []
    private var origin: Double?
    /// The seconds one bin spans; doubles whenever the bins would outnumber the plot's pixel columns.
    private var binSeconds = 1.0 / 64
    private var end = 0.0

    public init(labels: [String]) {
        self.labels = labels
    }

    /// Adds a row: its time and duration, and for a face its emotion and probabilities (model order). The row
    /// counts in every bin its time span overlaps, by the overlap.
    public func add(time: Double, duration: Double, emotion: String?, probabilities: [Double]?) {
        guard time.isFinite, duration.isFinite else { return }
        let start = origin ?? time
        origin = start
        let from = max(0, time - start), to = from + max(duration, 0)
        end = max(end, start + to)
        while Int(max(to - 1e-9, from) / binSeconds) >= Layout.plotWidth { mergeNeighbours() }
        let first = Int(from / binSeconds), last = max(first, Int(max(to - 1e-9, from) / binSeconds))
        while bins.count <= last { bins.append(Bin(labels: labels.count)) }
        let face = probabilities.flatMap { $0.count == labels.count ? $0 : nil }
        let dominant = emotion.flatMap { labels.firstIndex(of: $0) }
        for index in first...last {
            // A row of no duration (a still image) still counts, as a sliver.
            let overlap = max(min(to, Double(index + 1) * binSeconds) - max(from, Double(index) * binSeconds), 1e-9)
            bins[index].seconds += overlap
            guard let face else { continue }
            bins[index].faceSeconds += overlap
            for label in labels.indices {
                bins[index].sums[label] += face[label] * overlap
                bins[index].minimums[label] = min(bins[index].minimums[label], face[label])
                bins[index].maximums[label] = max(bins[index].maximums[label], face[label])
            }
            if let dominant { bins[index].dominantSeconds[dominant] += overlap }
        }
    }

    private func mergeNeighbours() {
        var merged: [Bin] = []
        merged.reserveCapacity(bins.count / 2 + 1)
        var index = 0
        while index < bins.count {
            var bin = bins[index]
            if index + 1 < bins.count { bin.merge(bins[index + 1]) }
            merged.append(bin)
            index += 2
        }
        bins = merged
        binSeconds *= 2
    }

    /// The seconds the plot spans, from the first row to the end of the last.
    public var span: Double { max(end - (origin ?? 0), 0) }

    // MARK: - Drawing

    /// The chart as a standalone SVG document titled `title`.
    public func svg(title: String) -> String {
        let layout = Geometry(span: span, origin: origin ?? 0, binSeconds: binSeconds)
        var parts: [String] = []
        parts.append("""
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Layout.width)" height="\(Layout.height)" viewBox="0 0 \(Layout.width) \(Layout.height)" \
            font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" data-start="\(Self.number(origin ?? 0))" data-span="\(Self.number(span))" \
            data-plot-left="\(Layout.plotLeft)" data-plot-width="\(Layout.plotWidth)">
            <title>\(Self.escape(title))</title>
            <rect width="\(Layout.width)" height="\(Layout.height)" fill="#ffffff"/>
            <text x="\(Layout.plotLeft)" y="24" font-size="15" font-weight="bold">\(Self.escape(title))</text>
            """)
        parts.append(noFaceShading(layout))
        parts.append(grid())
        for label in labels.indices { parts.append(band(label, layout)) }
        for label in labels.indices { parts.append(line(label, layout)) }
        parts.append(ribbon(layout))
        parts.append(axis(layout))
        parts.append(legend())
        parts.append("</svg>\n")
        return parts.joined(separator: "\n")
    }

    struct Geometry {
        let span: Double
        let origin: Double
        let binSeconds: Double
        /// x of a time (seconds from the first row).
        func x(_ seconds: Double) -> Double {
            guard span > 0 else { return Double(Layout.plotLeft) }
            return Double(Layout.plotLeft) + min(max(seconds / span, 0), 1) * Double(Layout.plotWidth)
        }
        func y(_ probability: Double) -> Double {
            Double(Layout.plotTop) + (1 - min(max(probability, 0), 1)) * Double(Layout.plotHeight)
        }
        /// The x range of bin `index`.
        func columns(_ index: Int) -> (Double, Double) {
            (x(Double(index) * binSeconds), x(Double(index + 1) * binSeconds))
        }
    }

    private func color(_ label: Int) -> String {
        let color = EmotionOverlay.palette[label % EmotionOverlay.palette.count]
        return String(format: "#%02x%02x%02x", color.red, color.green, color.blue)
    }

    /// Consecutive bins where `include` holds, as index ranges.
    private func runs(where include: (Bin) -> Bool) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int?
        for index in bins.indices {
            if include(bins[index]) {
                if start == nil { start = index }
            } else if let first = start {
                runs.append(first..<index)
                start = nil
            }
        }
        if let first = start { runs.append(first..<bins.count) }
        return runs
    }

    private func noFaceShading(_ layout: Geometry) -> String {
        let rects = runs { $0.seconds > 0 && $0.mostlyWithoutFace }.map { run -> String in
            let (left, _) = layout.columns(run.lowerBound)
            let (_, right) = layout.columns(run.upperBound - 1)
            return "<rect x=\"\(Self.number(left))\" y=\"\(Layout.plotTop)\" width=\"\(Self.number(max(right - left, 0.5)))\" height=\"\(Layout.plotHeight)\"/>"
        }
        return "<g class=\"no-face\" fill=\"#e4e4e4\"><title>no face</title>" + rects.joined() + "</g>"
    }

    private func grid() -> String {
        var lines: [String] = []
        for step in 0...4 {
            let probability = Double(step) / 4
            let y = Double(Layout.plotTop) + (1 - probability) * Double(Layout.plotHeight)
            lines.append("<line x1=\"\(Layout.plotLeft)\" x2=\"\(Layout.plotLeft + Layout.plotWidth)\" y1=\"\(Self.number(y))\" y2=\"\(Self.number(y))\" stroke=\"#cccccc\" stroke-width=\"\(step == 0 ? 1 : 0.5)\"/>")
            lines.append("<text x=\"\(Layout.plotLeft - 6)\" y=\"\(Self.number(y + 4))\" text-anchor=\"end\" fill=\"#555555\">\(String(format: "%.2f", probability))</text>")
        }
        return "<g class=\"grid\">" + lines.joined() + "</g>"
    }

    private func band(_ label: Int, _ layout: Geometry) -> String {
        let polygons = runs { $0.hasFace }.map { run -> String in
            var upper: [String] = [], lower: [String] = []
            for index in run {
                let (left, right) = layout.columns(index)
                let middle = (left + right) / 2
                upper.append(Self.point(middle, layout.y(bins[index].maximums[label])))
                lower.append(Self.point(middle, layout.y(bins[index].minimums[label])))
            }
            return "<polygon points=\"" + (upper + lower.reversed()).joined(separator: " ") + "\"/>"
        }
        return "<g class=\"band\" data-label=\"\(Self.escape(labels[label]))\" fill=\"\(color(label))\" fill-opacity=\"0.12\">" + polygons.joined() + "</g>"
    }

    private func line(_ label: Int, _ layout: Geometry) -> String {
        let paths = runs { $0.hasFace }.map { run -> String in
            let points = run.map { index -> String in
                let (left, right) = layout.columns(index)
                return Self.point((left + right) / 2, layout.y(bins[index].sums[label] / bins[index].faceSeconds))
            }
            // A run of one bin still shows, as a short level stroke.
            let drawn = points.count == 1 ? [Self.point(layout.columns(run.lowerBound).0, layout.y(bins[run.lowerBound].sums[label] / bins[run.lowerBound].faceSeconds)), points[0]] : points
            return "M" + drawn.joined(separator: "L")
        }
        return "<path class=\"line\" data-label=\"\(Self.escape(labels[label]))\" d=\"\(paths.joined())\" fill=\"none\" stroke=\"\(color(label))\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>"
    }

    private func ribbon(_ layout: Geometry) -> String {
        // Runs of bins with the same dominant emotion become one rectangle each.
        var rects: [String] = []
        var index = 0
        while index < bins.count {
            guard let label = dominant(bins[index]) else {
                index += 1
                continue
            }
            var last = index
            while last + 1 < bins.count && dominant(bins[last + 1]) == label { last += 1 }
            let left = layout.columns(index).0, right = layout.columns(last).1
            rects.append("<rect x=\"\(Self.number(left))\" y=\"\(Layout.ribbonTop)\" width=\"\(Self.number(max(right - left, 0.5)))\" height=\"\(Layout.ribbonHeight)\" fill=\"\(color(label))\"><title>\(Self.escape(labels[label]))</title></rect>")
            index = last + 1
        }
        return "<g class=\"ribbon\"><text x=\"\(Layout.plotLeft - 6)\" y=\"\(Layout.ribbonTop + 13)\" text-anchor=\"end\" fill=\"#555555\">top</text>" + rects.joined() + "</g>"
    }

    /// A small ribbon of the dominant emotion over time (grey without a face), `width`×`height`, for tables.
    public func sparkline(width: Int, height: Int) -> String {
        let columns = max(1, min(width, bins.count))
        // The bins falling into a column, merged, and the colour they show.
        func fill(_ column: Int) -> String {
            let lower = column * bins.count / columns, upper = max(lower + 1, (column + 1) * bins.count / columns)
            var bin = bins[lower]
            for index in (lower + 1)..<upper { bin.merge(bins[index]) }
            return dominant(bin).map { color($0) } ?? (bin.seconds > 0 ? "#e4e4e4" : "none")
        }
        var rects: [String] = []
        var column = 0
        while column < columns && !bins.isEmpty {
            let shown = fill(column)
            var last = column
            while last + 1 < columns && fill(last + 1) == shown { last += 1 }
            let left = Double(column) * Double(width) / Double(columns), right = Double(last + 1) * Double(width) / Double(columns)
            if shown != "none" {
                rects.append("<rect x=\"\(Self.number(left))\" width=\"\(Self.number(right - left))\" height=\"\(height)\" fill=\"\(shown)\"/>")
            }
            column = last + 1
        }
        return "<svg class=\"sparkline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">" + rects.joined() + "</svg>"
    }

    /// The colour of label `index`, as CSS.
    public func color(ofLabel index: Int) -> String { color(index) }

    private func dominant(_ bin: Bin) -> Int? {
        guard bin.hasFace, !bin.mostlyWithoutFace else { return nil }
        var best = 0
        for label in labels.indices where bin.dominantSeconds[label] > bin.dominantSeconds[best] { best = label }
        return bin.dominantSeconds[best] > 0 ? best : nil
    }

    private func axis(_ layout: Geometry) -> String {
        let step = Self.tickStep(span: span)
        var ticks: [String] = []
        var seconds = 0.0
        while seconds <= span + 1e-9 {
            let x = layout.x(seconds)
            ticks.append("<line x1=\"\(Self.number(x))\" x2=\"\(Self.number(x))\" y1=\"\(Layout.axisTop)\" y2=\"\(Layout.axisTop + 5)\" stroke=\"#555555\"/>")
            ticks.append("<text x=\"\(Self.number(x))\" y=\"\(Layout.axisTop + 18)\" text-anchor=\"middle\" fill=\"#333333\">\(Self.clock(layout.origin + seconds, span: layout.origin + span))</text>")
            seconds += step
        }
        return "<g class=\"axis\"><line x1=\"\(Layout.plotLeft)\" x2=\"\(Layout.plotLeft + Layout.plotWidth)\" y1=\"\(Layout.axisTop)\" y2=\"\(Layout.axisTop)\" stroke=\"#555555\"/>" + ticks.joined() + "</g>"
    }

    private func legend() -> String {
        var x = Layout.plotLeft
        var items: [String] = []
        for label in labels.indices {
            items.append("<rect x=\"\(x)\" y=\"\(Layout.height - 22)\" width=\"14\" height=\"10\" fill=\"\(color(label))\"/><text x=\"\(x + 18)\" y=\"\(Layout.height - 13)\">\(Self.escape(labels[label]))</text>")
            x += 26 + 7 * labels[label].count
        }
        items.append("<rect x=\"\(x)\" y=\"\(Layout.height - 22)\" width=\"14\" height=\"10\" fill=\"#e4e4e4\"/><text x=\"\(x + 18)\" y=\"\(Layout.height - 13)\">no face</text>")
        return "<g class=\"legend\">" + items.joined() + "</g>"
    }

    // MARK: - Text

    /// Tick spacing giving 4 to 12 ticks: 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h.
    static func tickStep(span: Double) -> Double {
        let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        return steps.first { span / $0 <= 12 } ?? 86400 * (span / 86400 / 12).rounded(.up)
    }

    /// `m:ss` (with tenths below 10 s of span), or `h:mm:ss` when the timeline passes an hour.
    static func clock(_ seconds: Double, span: Double) -> String {
        let total = max(seconds, 0)
        if span < 10 { return String(format: "%d:%04.1f", Int(total) / 60, total.truncatingRemainder(dividingBy: 60)) }
        let whole = Int(total.rounded())
        if span >= 3600 { return String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60) }
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }

    static func number(_ value: Double) -> String {
        let text = String(format: "%.1f", value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    static func point(_ x: Double, _ y: Double) -> String { number(x) + "," + number(y) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension TimelinePlot {
    /// Adds a row read back from a timeline; `smoothed` plots its smoothed values instead of its raw ones.
    public func add(_ row: TimelineRow, smoothed: Bool = false) {
        if smoothed {
            add(time: row.time, duration: row.duration, emotion: row.smoothed?.emotion, probabilities: row.smoothed?.probabilities)
        } else {
            add(time: row.time, duration: row.duration, emotion: row.emotion, probabilities: row.probabilities)
        }
    }
}

/// `--plot`: the SVG chart of the timeline, written beside the timelines when the analysis ends.
public final class PlotSink: TimelineSink {
    private let destination: String
    private var plot: TimelinePlot?
    private var title = ""
    private var file: AtomicTextFile?

    public init(destination: String) {
        self.destination = destination
    }

    public func start(_ context: TimelineContext) throws {
        plot = TimelinePlot(labels: context.labels)
        title = FileFrameSource.displayName((context.source.path as NSString).lastPathComponent)
        // Opened now, so that an unwritable folder fails before the analysis rather than after it.
        file = try AtomicTextFile(destination: destination)
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        // Full precision: the chart cannot show the sixth decimal, and formatting nine numbers a frame is not free.
        plot?.add(time: result.time, duration: result.duration, emotion: result.face?.emotion,
                  probabilities: result.face?.probabilities.map(Double.init))
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws {
        guard let plot, let file else { return }
        try file.write(plot.svg(title: title))
        try file.finish()
    }

    public func commit() throws { try file?.commit() }
    public func discard() { file?.discard() }
    public var finishesConcurrently: Bool { true }
}

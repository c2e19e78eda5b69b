import FaceMood
import Foundation
import TimelineOutputs

/// The programs a timeline can be exported to; each is one file conforming to `TimelineExporter`.
public enum ExportFormat: String, CaseIterable, Sendable {
    case elan, boris, webvtt, pyfeat, openface

    /// The exporter for a timeline (refused when a format needs names its labels cannot give). `media` is the
    /// video the export links to, when known.
    public func exporter(head: TimelineHead, media: String?) throws -> any TimelineExporter {
        let labels = head.labels
        switch self {
        case .elan: return ELANExporter(head: head, media: media)
        case .boris: return BORISExporter(labels: labels, media: media)
        case .webvtt: return WebVTTExporter(labels: labels)
        case .pyfeat: return try PyFeatExporter(labels: labels, media: media)
        case .openface: return OpenFaceExporter(labels: labels)
        }
    }

    /// The default file name's ending, after the timeline's stem (`talk` → `talk.eaf`).
    public var fileSuffix: String {
        switch self {
        case .elan: return ".eaf"
        case .boris: return ".boris.tsv"
        case .webvtt: return ".vtt"
        case .pyfeat: return ".pyfeat.csv"
        case .openface: return ".openface.csv"
        }
    }
}

/// Turns a timeline's rows, read one at a time, into files another program reads.
public protocol TimelineExporter: AnyObject {
    func add(_ row: TimelineRow) throws
    /// The files, as (path suffix, text): the main file has suffix "", companions their own (BORIS's data).
    func finish() throws -> [(suffix: String, text: String)]
}

/// An export the timeline's model cannot give, for that format only.
public struct ExportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}

/// Consecutive face frames with the same emotion, merged: what coding tools call events or annotations.
struct EmotionSegment: Equatable {
    var emotion: String
    var start: Double
    var end: Double
    var frames: Int
    var confidenceSum: Double

    var meanConfidence: Double { frames > 0 ? confidenceSum / Double(frames) : 0 }
}

/// Merges rows into segments as they arrive: a frame without a face, or another emotion, ends a segment.
struct SegmentBuilder {
    private(set) var segments: [EmotionSegment] = []
    private var open: EmotionSegment?

    /// `emotion` is the row's (raw or smoothed); nil without a face.
    mutating func add(time: Double, duration: Double, emotion: String?, confidence: Double?) {
        guard let emotion else {
            close()
            return
        }
        if var current = open, current.emotion == emotion {
            current.end = max(current.end, time + duration)
            current.frames += 1
            current.confidenceSum += confidence ?? 0
            open = current
        } else {
            close()
            open = EmotionSegment(emotion: emotion, start: time, end: time + duration, frames: 1, confidenceSum: confidence ?? 0)
        }
    }

    mutating func close() {
        if let current = open { segments.append(current) }
        open = nil
    }

    mutating func finish() -> [EmotionSegment] {
        close()
        return segments
    }
}

enum ExportText {
    static func decimal(_ value: Double, places: Int = 6) -> String { String(format: "%.\(places)f", value) }

    static func xml(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A file URL for `path` (made absolute against the current folder).
    static func fileURL(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.absoluteString
    }

    /// The MIME type ELAN and players expect, by extension.
    static func mimeType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "mp4", "m4v": return "video/mp4"
        case "mov": return "video/quicktime"
        case "mkv": return "video/x-matroska"
        case "webm": return "video/webm"
        case "avi": return "video/x-msvideo"
        case "mpg", "mpeg": return "video/mpeg"
        case "wav": return "audio/x-wav"
        default: return "video/*"
        }
    }
}

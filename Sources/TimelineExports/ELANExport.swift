import FaceMood
import Foundation
import TimelineOutputs

/// ELAN's EAF 3.0: a tier `emotion` of dominant-emotion annotations (consecutive face frames with the same
/// emotion merged, times in milliseconds), a tier `emotion (smoothed)` when the timeline has smoothed values,
/// and a media descriptor linking the video when its path is known.
final class ELANExporter: TimelineExporter {
    private let labels: [String]
    private let media: String?
    private var raw = SegmentBuilder()
    private var smoothed = SegmentBuilder()
    private let hasSmoothed: Bool

    init(head: TimelineHead, media: String?) {
        labels = head.labels
        hasSmoothed = head.smoothed
        self.media = media
    }

    func add(_ row: TimelineRow) throws {
        raw.add(time: row.time, duration: row.duration, emotion: row.emotion, confidence: row.confidence)
        smoothed.add(time: row.time, duration: row.duration, emotion: row.smoothed?.emotion,
                     confidence: row.smoothed.map { $0.probabilities.max() ?? 0 })
    }

    func finish() throws -> [(suffix: String, text: String)] {
        var tiers: [(id: String, segments: [EmotionSegment])] = [("emotion", raw.finish())]
        let smoothedSegments = smoothed.finish()
        if hasSmoothed { tiers.append(("emotion (smoothed)", smoothedSegments)) }
        var slots: [Int] = []
        var body: [String] = []
        var annotationCount = 0
        for (id, segments) in tiers {
            body.append("    <TIER LINGUISTIC_TYPE_REF=\"emotion\" TIER_ID=\"\(ExportText.xml(id))\">")
            for segment in segments {
                let start = Int((segment.start * 1000).rounded()), end = max(Int((segment.end * 1000).rounded()), start + 1)
                slots.append(start)
                slots.append(end)
                annotationCount += 1
                body.append("""
                        <ANNOTATION>
                            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a\(annotationCount)" TIME_SLOT_REF1="ts\(slots.count - 1)" TIME_SLOT_REF2="ts\(slots.count)">
                                <ANNOTATION_VALUE>\(ExportText.xml(segment.emotion))</ANNOTATION_VALUE>
                            </ALIGNABLE_ANNOTATION>
                        </ANNOTATION>
                """)
            }
            body.append("    </TIER>")
        }
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<ANNOTATION_DOCUMENT AUTHOR=\"\(FaceMoodTool.name) \(FaceMoodTool.version)\" DATE=\"\(ISO8601DateFormatter().string(from: Date()))\" FORMAT=\"3.0\" VERSION=\"3.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"http://www.mpi.nl/tools/elan/EAFv3.0.xsd\">",
            "    <HEADER MEDIA_FILE=\"\" TIME_UNITS=\"milliseconds\">",
        ]
        if let media {
            lines.append("        <MEDIA_DESCRIPTOR MEDIA_URL=\"\(ExportText.xml(ExportText.fileURL(media)))\" MIME_TYPE=\"\(ExportText.mimeType(media))\" RELATIVE_MEDIA_URL=\"./\(ExportText.xml((media as NSString).lastPathComponent))\"/>")
        }
        lines.append("        <PROPERTY NAME=\"lastUsedAnnotationId\">\(annotationCount)</PROPERTY>")
        lines.append("    </HEADER>")
        lines.append("    <TIME_ORDER>")
        for (index, value) in slots.enumerated() {
            lines.append("        <TIME_SLOT TIME_SLOT_ID=\"ts\(index + 1)\" TIME_VALUE=\"\(value)\"/>")
        }
        lines.append("    </TIME_ORDER>")
        lines += body
        lines.append("    <LINGUISTIC_TYPE GRAPHIC_REFERENCES=\"false\" LINGUISTIC_TYPE_ID=\"emotion\" TIME_ALIGNABLE=\"true\"/>")
        lines.append("</ANNOTATION_DOCUMENT>")
        return [("", lines.joined(separator: "\n") + "\n")]
    }
}

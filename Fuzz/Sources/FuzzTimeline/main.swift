import FaceMood
import FuzzSupport
import TimelineOutputs

// A timeline file, read as CSV and as JSON; what reads is also summarised.
fuzz { data in
    for name in ["fuzz.emotions.csv", "fuzz.emotions.json"] {
        guard let (labels, rows) = try? TimelineReader.read(data: data, path: name) else { continue }
        var summary = EmotionSummary(labels: labels)
        for row in rows { summary.add(row) }
        _ = summary.json()
    }
}

import Foundation
import VideoIO

/// The work of an analysis's threads under one lock: the segments the decoding thread fills, and the classifications
/// that segments' workers leave for any worker that would otherwise wait.
///
/// Detection within a segment is a chain (each frame is searched near the previous frame's face), but classifying a
/// face (crop and CNN, a fifth to a quarter of a face frame's work) needs only its own frame's detection. So a worker
/// that detected a face offers its classification, and a worker with nothing else to do takes it: at the start of a
/// video, while the next segment's first frame is being decoded, and at its end, while the last segments finish. On a
/// short video those waits kept one of two cores idle for about a sixth of the run. Which worker classifies a face
/// does not change its result: classification depends only on the frame and the detection.
final class SegmentScheduler: @unchecked Sendable {
    /// Consecutive frames searched as a chain by the worker that starts it.
    final class Segment {
        let index: Int
        /// Decoded frames not yet handed to the segment's worker, with their positions in the segment.
        fileprivate var waiting: [(frame: VideoFrame, position: Int)] = []
        /// Every frame's result by position, filled as each frame's detection and classification end.
        fileprivate var analyzed: [AnalysisPipeline.Analyzed?] = []
        fileprivate var unfinished = 0
        /// Every frame has been decoded.
        fileprivate var closed = false
        /// The segment's worker has detected every frame (or stopped on an error).
        fileprivate var detected = false
        /// Its result (or error) is with the consumer; later work on it is dropped.
        fileprivate var handedOver = false

        fileprivate init(index: Int) {
            self.index = index
        }

    }

    /// A detected face waiting for its classification.
    struct Classification {
        let segment: Segment
        let position: Int
        let frame: VideoFrame
        let detections: [DetectedFace]
        /// The analyzer that detected it.
        let detectedBy: ObjectIdentifier
    }

    enum Work {
        /// Search this frame of the worker's segment.
        case detect(VideoFrame, position: Int, in: Segment)
        /// Every frame of the worker's segment has been searched: the worker is free for another.
        case segmentDetected
        case classify(Classification)
        /// Start this segment: its first frame is the start of a chain.
        case start(Segment)
        /// No work is left, or the analysis stopped.
        case finished
    }

    private let condition = NSCondition()
    private let results: SegmentResults
    private var unstarted: [Segment] = []
    private var classifications: [Classification] = []
    private var segmentCount = 0
    private var segmentsBeingDetected = 0
    private var decodingEnded = false
    private var stopped = false
    private var sharedCount = 0

    /// Completed segments go to `results`.
    init(results: SegmentResults) {
        self.results = results
    }

    // MARK: - The decoding thread

    func startSegment() -> Segment {
        locked {
            let segment = Segment(index: segmentCount)
            segmentCount += 1
            unstarted.append(segment)
            return segment
        }
    }

    func push(_ frame: VideoFrame, to segment: Segment) {
        locked {
            guard !segment.handedOver else { return }
            segment.waiting.append((frame, segment.analyzed.count))
            segment.analyzed.append(nil)
            segment.unfinished += 1
        }
    }

    func close(_ segment: Segment) {
        locked { segment.closed = true }
    }

    /// No frame or segment follows; returns the number of segments.
    func endDecoding() -> Int {
        locked {
            decodingEnded = true
            return segmentCount
        }
    }

    /// Wakes every worker for good: their next work is `finished`.
    func stop() {
        locked { stopped = true }
    }

    // MARK: - The workers

    /// The next work of the worker running `analyzer`, whose current segment is `segment`, waiting for one.
    func nextWork(for analyzer: FrameAnalyzer, segment: Segment?) -> Work {
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            // The worker's own offer stays open to a waiting worker until its next one: it classifies the older.
            if segment != nil, classifications.count > 1, let work = takeClassification(for: analyzer) { return work }
            if let segment {
                if segment.handedOver || (segment.closed && segment.waiting.isEmpty) {
                    segment.detected = true
                    segmentsBeingDetected -= 1
                    handOverIfComplete(segment)
                    condition.broadcast()
                    return .segmentDetected
                }
                if !segment.waiting.isEmpty {
                    let next = segment.waiting.removeFirst()
                    return .detect(next.frame, position: next.position, in: segment)
                }
            }
            if let work = takeClassification(for: analyzer) { return work }
            if segment == nil {
                if !unstarted.isEmpty {
                    segmentsBeingDetected += 1
                    return .start(unstarted.removeFirst())
                }
                if decodingEnded && segmentsBeingDetected == 0 { return .finished }
            }
            condition.wait()
        }
        return .finished
    }

    /// A face was found in the frame at `position`: any worker may classify it.
    func offer(_ classification: Classification) {
        locked {
            guard !classification.segment.handedOver else { return }
            classifications.append(classification)
        }
    }

    /// The frame at `position` is analysed.
    func complete(_ segment: Segment, position: Int, with analyzed: AnalysisPipeline.Analyzed) {
        locked {
            guard !segment.handedOver else { return }
            segment.analyzed[position] = analyzed
            segment.unfinished -= 1
            handOverIfComplete(segment)
        }
    }

    /// The segment's analysis failed: the consumer gets `error` in its place, and its other work is dropped.
    func fail(_ segment: Segment, with error: Error) {
        locked {
            guard !segment.handedOver else { return }
            segment.handedOver = true
            segment.waiting = []
            segment.analyzed = []
            classifications.removeAll { $0.segment === segment }
            results.put(segment.index, .failure(error))
        }
    }

    /// How many faces were classified by a worker other than the one that detected them.
    var sharedClassifications: Int { locked { sharedCount } }

    /// The frames `segment` holds: waiting for detection, or analysed and waiting for the rest of it (for the tests).
    func framesHeld(by segment: Segment) -> Int { locked { segment.waiting.count + segment.analyzed.count { $0 != nil } } }

    // MARK: - Under the lock

    private func takeClassification(for analyzer: FrameAnalyzer) -> Work? {
        guard !classifications.isEmpty else { return nil }
        let classification = classifications.removeFirst()
        if classification.detectedBy != ObjectIdentifier(analyzer) { sharedCount += 1 }
        return .classify(classification)
    }

    private func handOverIfComplete(_ segment: Segment) {
        guard segment.detected, segment.unfinished == 0, !segment.handedOver else { return }
        segment.handedOver = true
        results.put(segment.index, .success(segment.analyzed.compactMap { $0 }))
        segment.analyzed = []
    }

    /// Runs `body` under the lock and wakes every waiter: any change may give a waiting worker work.
    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }
}

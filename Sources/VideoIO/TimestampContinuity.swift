import CFFmpeg

/// The `ffmpeg` command's correction of timestamp discontinuities (MPEG-TS restarts, concatenated
/// recordings): in a container flagged `AVFMT_TS_DISCONT`, a packet whose time jumps more than 10 s from
/// where its stream was expected to continue, or more than 0.1 s back before the stream's latest time,
/// moves a file-wide offset by the jump, so times go on from where they were. The offset applies to every
/// later packet of every stream, as the command's does.
struct TimestampContinuity {
    /// The command's `-dts_delta_threshold` default, in seconds.
    static let jumpThreshold: Int64 = 10 * Int64(AV_TIME_BASE)
    static let backwardTolerance: Int64 = Int64(AV_TIME_BASE) / 10

    private(set) var corrections = 0
    /// Added to every packet, in AV_TIME_BASE units.
    private var offset: Int64 = 0
    private var lastFileTimestamp: Int64?
    private var nextTimestamp: [Int32: Int64] = [:]
    private var latestTimestamp: [Int32: Int64] = [:]

    /// Shifts `packet` (of `stream`) by the offset, first updating the offset when the packet jumps.
    mutating func adjust(_ packet: UnsafeMutablePointer<AVPacket>, stream: UnsafeMutablePointer<AVStream>, frameDuration: Double) {
        let type = stream.pointee.codecpar.pointee.codec_type
        guard type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO, packet.pointee.dts != ffmpegNoTimestamp else {
            shift(packet, stream: stream)
            return
        }
        let timeBase = stream.pointee.time_base
        let index = stream.pointee.index
        let dts = av_rescale_q(packet.pointee.dts, timeBase, cffmpeg_time_base_q()) + offset
        var delta: Int64 = 0
        if let expected = nextTimestamp[index] {
            let jump = dts - expected
            if abs(jump) > Self.jumpThreshold || dts + Self.backwardTolerance < (latestTimestamp[index] ?? dts) {
                delta = jump
            }
        } else if let last = lastFileTimestamp, abs(dts - last) > Self.jumpThreshold {
            delta = dts - last
        }
        if delta != 0 {
            offset -= delta
            corrections += 1
        }
        shift(packet, stream: stream)
        let corrected = dts - delta
        lastFileTimestamp = corrected
        var duration = packet.pointee.duration > 0 ? av_rescale_q(packet.pointee.duration, timeBase, cffmpeg_time_base_q()) : 0
        if duration == 0, type == AVMEDIA_TYPE_VIDEO, frameDuration > 0 { duration = Int64(frameDuration * Double(AV_TIME_BASE)) }
        nextTimestamp[index] = corrected + duration
        let pts = packet.pointee.pts == ffmpegNoTimestamp ? corrected : av_rescale_q(packet.pointee.pts, timeBase, cffmpeg_time_base_q())
        latestTimestamp[index] = max(latestTimestamp[index] ?? corrected, max(pts, corrected))
    }

    private func shift(_ packet: UnsafeMutablePointer<AVPacket>, stream: UnsafeMutablePointer<AVStream>) {
        guard offset != 0 else { return }
        let ticks = av_rescale_q(offset, cffmpeg_time_base_q(), stream.pointee.time_base)
        if packet.pointee.dts != ffmpegNoTimestamp { packet.pointee.dts += ticks }
        if packet.pointee.pts != ffmpegNoTimestamp { packet.pointee.pts += ticks }
    }
}

import CFFmpeg

/// FFmpeg prints warnings to stderr on its own; facemood keeps stderr for its own one-line errors.
public enum FFmpegLog {
    /// Quiet unless `verbose`, in which case FFmpeg's info-level messages pass through.
    public static func configure(verbose: Bool) {
        _ = quietByDefault
        av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_QUIET)
    }
}

/// Evaluated once, before the first file is opened, so library users get a quiet FFmpeg too.
let quietByDefault: Void = av_log_set_level(AV_LOG_QUIET)

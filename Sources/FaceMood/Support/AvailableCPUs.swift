import Foundation

/// How many CPUs this process may use: the fewest of its affinity mask, its cgroup's CPU quota and the
/// scheduler's allotment (`SLURM_CPUS_PER_TASK`), never more than the host has. A batch scheduler or a
/// container that grants one CPU of a 64-core host gets one analysis thread, not 64 competing for it.
public enum AvailableCPUs {
    public static var count: Int {
        count(host: ProcessInfo.processInfo.activeProcessorCount, affinity: affinityCount(),
              cgroupQuota: cgroupQuota(), environment: ProcessInfo.processInfo.environment)
    }

    /// The rule, on given facts: each limit that is known and positive lowers the host's count.
    public static func count(host: Int, affinity: Int?, cgroupQuota: Double?, environment: [String: String]) -> Int {
        var limit = max(1, host)
        if let affinity, affinity > 0 { limit = min(limit, affinity) }
        if let cgroupQuota, cgroupQuota > 0 { limit = min(limit, max(1, Int(cgroupQuota.rounded(.up)))) }
        if let text = environment["SLURM_CPUS_PER_TASK"], let cpus = Int(text.trimmingCharacters(in: .whitespaces)), cpus > 0 {
            limit = min(limit, cpus)
        }
        return limit
    }

    /// CPUs in this process's affinity mask (`taskset`, cpusets), from `/proc/self/status` (Glibc's
    /// `sched_getaffinity` is not visible to Swift without `_GNU_SOURCE`).
    static func affinityCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return parseCPUList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// `"0-3,6"` is 5 CPUs.
    public static func parseCPUList(_ text: String) -> Int? {
        var count = 0
        for range in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = range.split(separator: "-")
            guard let first = bounds.first.flatMap({ Int($0) }), let last = (bounds.count == 2 ? Int(bounds[1]) : first),
                  bounds.count <= 2, last >= first else { return nil }
            count += last - first + 1
        }
        return count > 0 ? count : nil
    }

    /// The CPU quota of this process's cgroup in CPUs (v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), nil when unlimited.
    static func cgroupQuota(root: String = "/sys/fs/cgroup", membership: String? = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) -> Double? {
        var folders = [root]
        // cgroup v2: a line "0::/path"; the quota may be set on this group or any ancestor.
        if let line = membership?.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) {
            var path = String(line.dropFirst(3))
            while !path.isEmpty && path != "/" {
                folders.append(root + path)
                path = (path as NSString).deletingLastPathComponent
            }
        }
        var quotas: [Double] = []
        for folder in folders {
            if let text = try? String(contentsOfFile: folder + "/cpu.max", encoding: .utf8), let quota = parseCPUMax(text) {
                quotas.append(quota)
            }
        }
        if let quota = try? String(contentsOfFile: root + "/cpu/cpu.cfs_quota_us", encoding: .utf8),
           let period = try? String(contentsOfFile: root + "/cpu/cpu.cfs_period_us", encoding: .utf8),
           let value = parseCFS(quota: quota, period: period) {
            quotas.append(value)
        }
        return quotas.min()
    }

    /// `"max 100000"` is unlimited; `"150000 100000"` is 1.5 CPUs.
    public static func parseCPUMax(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 else { return nil }
        return quota / period
    }

    /// cgroup v1: a quota of -1 is unlimited.
    public static func parseCFS(quota: String, period: String) -> Double? {
        guard let quota = Double(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
              let period = Double(period.trimmingCharacters(in: .whitespacesAndNewlines)), quota > 0, period > 0 else { return nil }
        return quota / period
    }
}

import Foundation
@testable import FaceMood
import Testing

@Suite struct AvailableCPUsTests {
    @Test func theFewestOfTheLimitsWins() {
        #expect(AvailableCPUs.count(host: 64, affinity: nil, cgroupQuota: nil, environment: [:]) == 64)
        #expect(AvailableCPUs.count(host: 64, affinity: 8, cgroupQuota: nil, environment: [:]) == 8)
        #expect(AvailableCPUs.count(host: 64, affinity: 8, cgroupQuota: 2.5, environment: [:]) == 3, "a fraction of a CPU rounds up")
        #expect(AvailableCPUs.count(host: 64, affinity: 8, cgroupQuota: 2.5, environment: ["SLURM_CPUS_PER_TASK": "1"]) == 1)
        #expect(AvailableCPUs.count(host: 2, affinity: nil, cgroupQuota: 0.2, environment: ["SLURM_CPUS_PER_TASK": "x"]) == 1)
    }

    @Test func kernelFormats() {
        #expect(AvailableCPUs.parseCPUList("0-3,6\n") == 5)
        #expect(AvailableCPUs.parseCPUList("2") == 1)
        #expect(AvailableCPUs.parseCPUList("3-1") == nil)
        #expect(AvailableCPUs.parseCPUMax("max 100000\n") == nil)
        #expect(AvailableCPUs.parseCPUMax("150000 100000\n") == 1.5)
        #expect(AvailableCPUs.parseCFS(quota: "-1\n", period: "100000\n") == nil)
        #expect(AvailableCPUs.parseCFS(quota: "200000\n", period: "100000\n") == 2)
    }

    @Test func aQuotaOnAnAncestorCgroupCounts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-cgroup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/jobs/job1", withIntermediateDirectories: true)
        try "max 100000\n".write(toFile: root + "/jobs/job1/cpu.max", atomically: true, encoding: .utf8)
        #expect(AvailableCPUs.cgroupQuota(root: root, membership: "0::/jobs/job1\n") == nil)
        try "150000 100000\n".write(toFile: root + "/jobs/cpu.max", atomically: true, encoding: .utf8)
        #expect(AvailableCPUs.cgroupQuota(root: root, membership: "0::/jobs/job1\n") == 1.5)
    }

    /// The command's default, as `--help` shows it, follows the affinity mask and Slurm's allotment.
    @Test func theCommandsDefaultThreadsFollowTheScheduler() throws {
        for (launcher, environment) in [(["/usr/bin/taskset", "-c", "0"], [String: String]()), ([], ["SLURM_CPUS_PER_TASK": "1"])] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: launcher.first ?? FaceMoodBinary.path)
            process.arguments = Array(launcher.dropFirst()) + (launcher.isEmpty ? [] : [FaceMoodBinary.path]) + ["analyze", "--help"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let help = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(help.replacingOccurrences(of: "\n", with: " ").contains("SLURM_CPUS_PER_TASK). (default: 1)"), "\(launcher) \(environment)")
        }
    }
}

import FaceMood
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

    @Test func thisProcessHasAtLeastOne() {
        #expect(AvailableCPUs.count >= 1)
    }
}

import Corpus
import Testing

@Suite struct ShardTests {
    @Test func everyItemBelongsToExactlyOneShard() throws {
        let items = Array(0..<10)
        let shards = try (0..<3).map { try Shard(index: $0, count: 3).select(items) }
        #expect(shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
    }

    @Test func argumentsAreCheckedWithTheirExpectation() {
        #expect(throws: CorpusError("--shard expects I/N (0-based, e.g. 0/4) or auto, found '1-4'")) { try Shard(argument: "1-4") }
        #expect(throws: CorpusError("shard: expected an index of 0 to 3 (from 0) for 4 shards, found 4")) { try Shard(argument: "4/4") }
        #expect(throws: CorpusError("shard: expected a count of 1 to 1000000, found 0")) { try Shard(argument: "0/0") }
    }

    @Test func slurmJobArraysCountFromTheirFirstTask() throws {
        let environment = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "7", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(try Shard.fromScheduler(environment: environment, shards: nil) == Shard(index: 2, count: 3))
        #expect(throws: CorpusError("--shards 4 disagrees with the job array's 3 tasks")) {
            try Shard.fromScheduler(environment: environment, shards: 4)
        }
    }

    @Test func sparseSlurmArraysAreRefused() {
        let environment = ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "4", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(throws: CorpusError("--shard auto: expected a contiguous job array (--array=0-2), found 3 tasks from 0 to 4; give each task --shard I/N instead")) {
            try Shard.fromScheduler(environment: environment, shards: nil)
        }
    }

    @Test func kubernetesIndexedJobsNeedTheirCompletions() throws {
        #expect(try Shard.fromScheduler(environment: ["JOB_COMPLETION_INDEX": "1"], shards: 2) == Shard(index: 1, count: 2))
        #expect(throws: CorpusError("--shard auto: found JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) but no --shards N; give the Job's completions")) {
            try Shard.fromScheduler(environment: ["JOB_COMPLETION_INDEX": "1"], shards: nil)
        }
        #expect(throws: CorpusError("--shard auto: expected SLURM_ARRAY_TASK_ID (sbatch --array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), found neither; give --shard I/N")) {
            try Shard.fromScheduler(environment: [:], shards: 2)
        }
    }
}

/// One of N parts of a sorted input list: item k belongs to shard k mod N, so every shard computes the
/// same assignment from the same list without talking to the others.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// From 0.
    public let index: Int
    public let count: Int

    public static let maximumCount = 1_000_000

    public init(index: Int, count: Int) throws {
        guard (1...Self.maximumCount).contains(count) else {
            throw CorpusError("shard: expected a count of 1 to \(Self.maximumCount), found \(count)")
        }
        guard (0..<count).contains(index) else {
            throw CorpusError("shard: expected an index of 0 to \(count - 1) (from 0) for \(count) shards, found \(index)")
        }
        self.index = index
        self.count = count
    }

    /// `I/N`, e.g. `0/4`.
    public init(argument: String) throws {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw CorpusError("--shard expects I/N (0-based, e.g. 0/4) or auto, found '\(argument)'")
        }
        try self.init(index: index, count: count)
    }

    /// The shard a scheduler gave this process: a Slurm job array's task (`SLURM_ARRAY_TASK_ID` counted from
    /// `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT` tasks, a contiguous `--array=A-B`), or a Kubernetes
    /// Indexed Job's pod (`JOB_COMPLETION_INDEX`, with the completions given as `shards`).
    public static func fromScheduler(environment: [String: String], shards: Int?) throws -> Shard {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text) else { throw CorpusError("--shard auto: expected \(name) to be a whole number, found '\(text)'") }
            return value
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            guard let first = try number("SLURM_ARRAY_TASK_MIN"), let tasks = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw CorpusError("--shard auto: found SLURM_ARRAY_TASK_ID but not SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT; run under sbatch --array")
            }
            if let last = try number("SLURM_ARRAY_TASK_MAX"), last - first + 1 != tasks {
                throw CorpusError("--shard auto: expected a contiguous job array (--array=\(first)-\(first + tasks - 1)), found \(tasks) tasks from \(first) to \(last); give each task --shard I/N instead")
            }
            if let shards, shards != tasks {
                throw CorpusError("--shards \(shards) disagrees with the job array's \(tasks) tasks")
            }
            return try Shard(index: task - first, count: tasks)
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let shards else {
                throw CorpusError("--shard auto: found JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) but no --shards N; give the Job's completions")
            }
            return try Shard(index: index, count: shards)
        }
        throw CorpusError("--shard auto: expected SLURM_ARRAY_TASK_ID (sbatch --array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), found neither; give --shard I/N")
    }

    /// The items of this shard, in order.
    public func select<Item>(_ items: [Item]) -> [Item] {
        items.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    public var description: String { "\(index)/\(count)" }
}

#!/usr/bin/env bash
# make test-cluster: the deploy/ recipes on real engines, checked against one local run.
#  1. A single-node Slurm cluster (scripts/slurm-cluster.sh) runs deploy/slurm/facemood-array.sbatch as a
#     3-task job array over a small corpus; the merged manifest (without its seconds column) and every
#     timeline must equal those of one local `facemood analyze` byte for byte.
#  2. A second array with a long input: its task is cancelled (scancel) mid-analysis, which must leave no
#     output of that input, finished or partial; the resubmitted array must analyse exactly the inputs
#     without outputs and skip every other one.
#  3. The Kubernetes Indexed Job's arguments (deploy/kubernetes/facemood-job.yaml), run once per completion
#     index with JOB_COMPLETION_INDEX, and the GNU parallel recipe, must write the local run's timelines.
# Needs root (the Slurm daemons) and the packages `make deps` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
bin=$repo/.build/release/facemood
[ "$(id -u)" = 0 ] || { echo "test-cluster: needs root to run the Slurm daemons" >&2; exit 1; }
[ -x "$bin" ] || { echo "test-cluster: $bin is missing: run make build" >&2; exit 1; }

work=$(mktemp -d /tmp/facemood-cluster.XXXXXX)
cluster=$work/cluster
cleanup() {
    scripts/slurm-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-cluster: FAILED: $*" >&2; exit 1; }
step() { echo "test-cluster: $*"; }
strip_seconds() { sed 's/,[^,]*$//' "$1"; }

# A corpus with sub-folders (outputs mirror them) and two inputs of the same stem.
corpus=$work/corpus
mkdir -p "$corpus/session1" "$corpus/session2/clips"
cp samples/media/single_face.mp4 samples/media/no_face.mp4 "$corpus/session1/"
cp samples/media/face_noface.mov samples/media/single_face.jpg "$corpus/session2/"
cp samples/media/noface_face.mov samples/media/single_face.mp4 "$corpus/session2/clips/"
cd "$work"

step "local reference run"
"$bin" analyze corpus -o local --quiet --threads 1
[ "$(wc -l < local/facemood-batch.csv)" = 7 ] || fail "expected 6 inputs in the local manifest"

step "starting a single-node Slurm cluster"
"$repo/scripts/slurm-cluster.sh" start "$cluster"
export SLURM_CONF=$cluster/slurm.conf
export FACEMOOD=$bin

step "a 3-task job array"
job=$(sbatch --parsable --array=0-2 "$repo/deploy/slurm/facemood-array.sbatch" corpus -o slurm --quiet)
states=$("$repo/scripts/slurm-cluster.sh" wait-job "$cluster" "$job" 300)
echo "$states" | sed 's/^/  /'
[ "$(echo "$states" | grep -c ' COMPLETED 0:0$')" = 3 ] || fail "expected 3 completed tasks"
"$bin" merge slurm/facemood-batch-*-of-3.csv -o slurm/facemood-batch.csv
diff <(strip_seconds local/facemood-batch.csv) <(strip_seconds slurm/facemood-batch.csv) || fail "merged manifest differs from the local one"
diff -r -x 'facemood-batch*' local slurm || fail "timelines differ from the local run's"
step "  merged manifest and $(find slurm -name '*.emotions.*' | wc -l) timelines equal the local run's"

step "cancelling a task mid-run, then resubmitting"
mkdir -p corpus/zz
ffmpeg -loglevel error -stream_loop 40 -i "$repo/samples/media/single_face.mp4" -c copy corpus/zz/long.mp4
args=(corpus -o resume --quiet --exact)
long_task=""
for task in 0 1 2; do
    if "$bin" analyze "${args[@]}" --shard "$task/3" --dry-run | grep -q 'zz/long.mp4$'; then long_task=$task; fi
done
[ -n "$long_task" ] || fail "no shard holds corpus/zz/long.mp4"
job=$(sbatch --parsable --array=0-2 "$repo/deploy/slurm/facemood-array.sbatch" "${args[@]}")
for _ in $(seq 1 600); do
    compgen -G "resume/zz/.long.emotions.*partial*" >/dev/null && break
    sleep 0.1
done
compgen -G "resume/zz/.long.emotions.*partial*" >/dev/null || fail "the long input's analysis never started"
scancel "${job}_${long_task}"
states=$("$repo/scripts/slurm-cluster.sh" wait-job "$cluster" "$job" 300)
echo "$states" | sed 's/^/  /'
echo "$states" | grep -q "^${job}_${long_task} CANCELLED" || fail "expected task $long_task cancelled"
[ -z "$(find resume -name '*partial*')" ] || fail "partial files left: $(find resume -name '*partial*')"
[ ! -e resume/zz/long.emotions.json ] && [ ! -e resume/zz/long.emotions.csv ] || fail "the cancelled input has outputs"
[ ! -e "resume/facemood-batch-${long_task}-of-3.csv" ] || fail "the cancelled task left a manifest"
expected=$("$bin" analyze "${args[@]}" --skip-done --dry-run | awk -F'\t' '$1 == "analyse" { print $2 }')
echo "$expected" | grep -q 'zz/long.mp4$' || fail "the long input should be unfinished"
job=$(sbatch --parsable --array=0-2 "$repo/deploy/slurm/facemood-array.sbatch" "${args[@]}")
states=$("$repo/scripts/slurm-cluster.sh" wait-job "$cluster" "$job" 300)
[ "$(echo "$states" | grep -c ' COMPLETED 0:0$')" = 3 ] || fail "expected 3 completed tasks on resubmission: $states"
"$bin" merge resume/facemood-batch-*-of-3.csv -o resume/facemood-batch.csv
analysed=$(awk -F, 'NR > 1 && $2 == "done" { print $1 }' resume/facemood-batch.csv)
[ "$analysed" = "$expected" ] || fail "expected only the unfinished inputs analysed again: $expected; found: $analysed"
[ "$(awk -F, 'NR > 1 && $2 == "skipped"' resume/facemood-batch.csv | wc -l)" = $((7 - $(echo "$expected" | wc -l))) ] ||
    fail "expected every other input skipped"
step "  only $(echo "$expected" | wc -l) unfinished input(s) analysed again, the others skipped"
"$repo/scripts/slurm-cluster.sh" stop "$cluster"
rm -rf corpus/zz

step "the Kubernetes Indexed Job's arguments, one process per completion index"
completions=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["completions"])' "$repo/deploy/kubernetes/facemood-job.yaml")
mapfile -t job_args < <(/usr/bin/python3 -c '
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
assert spec["completionMode"] == "Indexed" and spec["parallelism"] == spec["completions"]
codes = spec["podFailurePolicy"]["rules"][0]["onExitCodes"]["values"]
assert sorted(codes) == [64, 66], codes
args = spec["template"]["spec"]["containers"][0]["args"]
assert args[args.index("--shards") + 1] == str(spec["completions"]), "--shards must equal completions"
print("\n".join(a.replace("/data/", "k8s/") for a in args))' "$repo/deploy/kubernetes/facemood-job.yaml")
mkdir -p k8s && ln -s ../corpus k8s/corpus
for index in $(seq 0 $((completions - 1))); do
    JOB_COMPLETION_INDEX=$index "$bin" "${job_args[@]}" --quiet --threads 1
done
"$bin" merge k8s/out/facemood-batch-*-of-"$completions".csv -o k8s/out/facemood-batch.csv
diff <(strip_seconds local/facemood-batch.csv | sed 's#^corpus/#k8s/corpus/#') <(strip_seconds k8s/out/facemood-batch.csv) || fail "Indexed Job manifest differs"
diff -r -x 'facemood-batch*' -x '*.json' local k8s/out || fail "Indexed Job timelines differ"

step "GNU parallel with a joblog"
FACEMOOD=$bin "$repo/deploy/parallel/facemood-parallel.sh" corpus parallel 2
[ "$(awk -F'\t' 'NR > 1 && $7 == 0' parallel/parallel.joblog | wc -l)" = 6 ] || fail "expected 6 successful jobs in the joblog"
diff -r -x 'facemood-batch*' -x '*.json' -x parallel.joblog local parallel || fail "GNU parallel timelines differ"
FACEMOOD=$bin "$repo/deploy/parallel/facemood-parallel.sh" corpus parallel 2
[ "$(awk -F'\t' 'NR > 1' parallel/parallel.joblog | wc -l)" = 6 ] || fail "--resume-failed ran finished jobs again"
step "all recipes agree with the local run"

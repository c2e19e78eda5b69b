#!/bin/bash
# GNU parallel over a corpus on one machine or over ssh hosts (-S): one facemood process per input, one
# thread each, a joblog that records every input's exit status, and --resume to continue after a stop.
#
#   deploy/parallel/facemood-parallel.sh /data/corpus /data/out [JOBS]
#
# Each input's outputs mirror its path under OUT (the same layout as `facemood analyze FOLDER -o OUT`).
# (Two inputs that differ only by extension would share outputs here; `facemood analyze CORPUS -o OUT`
# keeps their extensions apart.) `facemood summarize OUT` then tabulates the corpus. Rerunning the same line analyses only the inputs
# whose job did not succeed (--resume-failed) or never ran.
set -euo pipefail
corpus=${1:?usage: facemood-parallel.sh CORPUS OUT [JOBS]}
out=${2:?usage: facemood-parallel.sh CORPUS OUT [JOBS]}
jobs=${3:-$(nproc)}
facemood=${FACEMOOD:-facemood}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export out facemood
cd "$corpus"
# The inputs facemood itself would take from the folder (video and image files, sorted).
"$facemood" analyze . --dry-run | cut -f2 | sed 's#^\./##' |
    parallel --jobs "$jobs" --joblog "$out/parallel.joblog" --resume-failed \
        'mkdir -p "$out"/{//} && "$facemood" analyze {} --csv "$out"/{.}.emotions.csv --json "$out"/{.}.emotions.json --threads 1 --skip-done --quiet'

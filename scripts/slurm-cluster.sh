#!/usr/bin/env bash
# slurm-cluster.sh - run a throwaway single-node Slurm cluster on this machine
# (as root) so tests can submit real jobs with sbatch.
#
# Usage:
#   scripts/slurm-cluster.sh start    DIR
#   scripts/slurm-cluster.sh stop     DIR
#   scripts/slurm-cluster.sh wait-job DIR JOBID TIMEOUT_SECONDS
#
# After `start DIR`, point Slurm's client tools at the cluster with
#   export SLURM_CONF=DIR/slurm.conf
# (`start` itself prints nothing unless something goes wrong.)
#
# `wait-job` waits until no task of JOBID is pending or running any more and
# then prints one line per task, sorted by array index:
#   <JOBID>_<INDEX> <STATE> <EXITCODE>     e.g. "12_0 COMPLETED 0:0"
#   (a job that is not an array prints "<JOBID> <STATE> <EXITCODE>")
# EXITCODE is Slurm's "status:signal" pair. It exits 0 once every task has
# ended (whatever the tasks' own states), 124 on timeout.
#
# Needs Debian's packages: slurmctld slurmd slurm-client munge
# (apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge).
#
# Why the non-obvious settings in slurm.conf are there:
#   SlurmUser=root              the daemons and jobs run as root (tests run as root);
#                               no "slurm" user or chown needed.
#   AuthType=auth/munge         the only authentication Debian's plugins offer for
#                               daemons and clients; munged must be running
#                               (we start the system one on its default socket
#                               if it is not, and stop it again only if we did).
#   SlurmctldHost=NAME(127.0.0.1), NodeAddr=127.0.0.1
#                               keep all traffic on loopback, whatever the host
#                               name resolves to.
#   NodeName=$(hostname -s)     slurmd finds its own node entry by short host name.
#   CPUs=$(nproc)               one task per CPU when jobs ask --cpus-per-task=1.
#                               RealMemory is left out (defaults to 1 MB) ...
#   SelectType=select/cons_tres + SelectTypeParameters=CR_CPU
#                               ... so memory must NOT be a consumable resource:
#                               cons_tres defaults to CR_Core_Memory, under which a
#                               job without --mem is given the node's whole memory
#                               and only one job runs at a time.
#   ProctrackType=proctrack/linuxproc, TaskPlugin=task/none
#                               no cgroups here (container / gVisor); linuxproc
#                               tracks a job's processes by parent pid.
#   JobAcctGatherType=jobacct_gather/none, AccountingStorageType=accounting_storage/none
#                               no slurmdbd, so `sacct` does not work; wait-job
#                               reads task states from `scontrol show job` instead ...
#   MinJobAge=3600              ... which needs finished jobs kept in slurmctld's
#                               memory for a while (default 300 s) ...
#   JobCompType=jobcomp/filetxt ... and, as a fallback once they are purged, one line
#                               per finished job/task in DIR/logs/jobcomp.log (its
#                               ExitCode is 0:0 for cancelled tasks, though).
#   ReturnToService=2           a node that was DOWN (e.g. slurmd restarted, or
#                               not responding for a moment on a loaded machine)
#                               comes back as soon as slurmd registers again.
#   MailProg=/bin/true          there is no mail program; avoids an error in the log.
#   SlurmdTimeout=300           do not mark the node DOWN quickly on a busy 2-core box.
#   KillWait=${SLURM_CLUSTER_KILLWAIT:-5}
#                               seconds between SIGTERM and SIGKILL when a job is
#                               cancelled or times out (Slurm's default is 30 s; a
#                               short one keeps cancellation tests fast).
#   StateSaveLocation, SlurmdSpoolDir, *LogFile, *PidFile, JobCompLoc
#                               all inside DIR, so nothing on the system changes
#                               apart from munged's usual /run/munge.
# slurmctld is started with -c (cold start: ignore any old state in DIR).
# Ports are Slurm's defaults, 6817 (slurmctld) and 6818 (slurmd), so only one
# such cluster can run at a time: `start` stops a cluster that an earlier run of
# this script left running (in whatever DIR), and refuses to start if other
# Slurm daemons are running.

set -euo pipefail

prog=$(basename "$0")
MARKER=.slurm-cluster-sh          # file in DIR that marks it as ours
START_TIMEOUT=30                  # seconds for the node to become idle
STOP_TIMEOUT=15                   # seconds for each daemon to exit after SIGTERM

die() { echo "$prog: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# absolute path of DIR (DIR need not exist yet)
abspath() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}

# pids of the live (not zombie) processes called $1; a daemon that forks
# leaves a zombie for a moment
procs() {
    { ps -C "$1" -o pid=,stat= || true; } | awk '$2 !~ /^Z/ { print $1 }'
}

# pid from a pid file, if that process is alive
live_pid() {
    local f=$1 pid
    [[ -s $f ]] || return 1
    pid=$(tr -dc '0-9' <"$f")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

# SIGTERM a process, wait for it to exit, SIGKILL it if it does not in time
stop_pid() {
    local name=$1 pid=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    note "$name (pid $pid) did not exit within ${STOP_TIMEOUT}s of SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    note "$name (pid $pid) is still there after SIGKILL"
    return 1
}

# all processes below pid (children, grandchildren, ...)
descendants() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            for (p in parent) {
                q = parent[p]
                while (q != "" && q != 0 && q != 1) {
                    if (q == root) { print p; break }
                    q = parent[q]
                }
            }
        }'
}

show_logs() {
    local dir=$1 f
    for f in "$dir"/logs/slurmctld.log "$dir"/logs/slurmd.log /var/log/munge/munged.log; do
        [[ -s $f ]] || continue
        echo "----- tail of $f" >&2
        tail -n 20 "$f" >&2
    done
}

# DIRs of clusters this script started that still have a live daemon
leftover_dirs() {
    local pid conf dir
    for pid in $(procs slurmctld) $(procs slurmd); do
        conf=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n '/^-f$/{n;p;q}') || true
        [[ -n $conf ]] || continue
        dir=$(dirname "$conf")
        [[ -e $dir/$MARKER ]] && printf '%s\n' "$dir"
    done | sort -u
}

# start failed: say why, show the logs, stop what we started, exit 1
fail_start() {
    local dir=$1
    note "$2"
    show_logs "$dir"
    cmd_stop "$dir" >/dev/null 2>&1 || true
    exit 1
}

cmd_stop() {
    local dir pid rc=0 i killwait jobs
    dir=$(abspath "$1")
    [[ -e $dir/$MARKER ]] || die "$dir was not made by '$prog start'"
    export SLURM_CONF=$dir/slurm.conf
    killwait=$(sed -n 's/^KillWait=//p' "$SLURM_CONF" 2>/dev/null || true)

    # Cancel what is still queued or running, so that slurmstepd and the jobs'
    # processes do not outlive slurmd (they would: slurmd's exit leaves them).
    if pid=$(live_pid "$dir/pids/slurmctld.pid"); then
        jobs=$(squeue -h -o %F 2>/dev/null | sort -u) || true
        if [[ -n $jobs ]]; then
            # shellcheck disable=SC2086
            scancel --quiet $jobs 2>/dev/null || true
            for ((i = 0; i < (${killwait:-30} + 10) * 10; i++)); do
                [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
                sleep 0.1
            done
        fi
    fi
    if pid=$(live_pid "$dir/pids/slurmd.pid"); then
        stop_pid slurmd "$pid" || rc=1
    fi
    if pid=$(live_pid "$dir/pids/slurmctld.pid"); then
        stop_pid slurmctld "$pid" || rc=1
    fi
    # Step daemons of jobs still alive (slurmstepd's cwd is DIR/logs)? Kill
    # them and every process below them.
    for pid in $(procs slurmstepd); do
        if [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$dir"/* ]]; then
            note "killing leftover slurmstepd (pid $pid) and its processes"
            # shellcheck disable=SC2046
            kill -KILL $(descendants "$pid") "$pid" 2>/dev/null || true
        fi
    done
    # munged only if this cluster started it
    if [[ -s $dir/pids/munged.started ]] && pid=$(live_pid "$dir/pids/munged.started"); then
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == munged ]]; then
            stop_pid munged "$pid" || rc=1
        fi
    fi
    rm -f "$dir/pids/munged.started"
    return "$rc"
}

start_munged() {
    local dir=$1 i
    if [[ -n $(procs munged) ]]; then
        return 0        # someone else's; leave it alone
    fi
    id munge >/dev/null 2>&1 || die "no user 'munge': install the munge package"
    if [[ ! -s /etc/munge/munge.key ]]; then
        install -d -o munge -g munge -m 700 /etc/munge
        (umask 077 && head -c 1024 /dev/urandom >/etc/munge/munge.key)
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    # normally made by systemd-tmpfiles, which does not run here
    install -d -o munge -g munge -m 755 /run/munge
    install -d -o munge -g munge -m 700 /var/log/munge
    install -d -o munge -g munge -m 711 /var/lib/munge
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged >/dev/null 2>&1 ||
        fail_start "$dir" "munged failed to start"
    for ((i = 0; i < 50; i++)); do
        [[ -s /run/munge/munged.pid ]] && break
        sleep 0.1
    done
    live_pid /run/munge/munged.pid >"$dir/pids/munged.started" ||
        fail_start "$dir" "munged did not write /run/munge/munged.pid"
}

write_conf() {
    local dir=$1 node=$2 cpus=$3
    cat >"$dir/slurm.conf" <<EOF
# written by $prog; see the header of that script for why each setting is here
ClusterName=testcluster
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/logs/jobcomp.log
MinJobAge=3600
ReturnToService=2
SlurmdTimeout=300
KillWait=$KILLWAIT
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/pids/slurmctld.pid
SlurmdPidFile=$dir/pids/slurmd.pid
SlurmctldLogFile=$dir/logs/slurmctld.log
SlurmdLogFile=$dir/logs/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

cmd_start() {
    local dir node cpus other state d b t0 deadline
    dir=$(abspath "$1")
    for b in slurmctld slurmd sinfo munged; do
        command -v "$b" >/dev/null || [[ -x /usr/sbin/$b ]] ||
            die "$b not found: apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge"
    done

    # Left over by an earlier run of this script (any DIR)? Stop it.
    for other in $(leftover_dirs); do
        note "stopping the Slurm cluster left running in $other"
        cmd_stop "$other" || die "could not stop the cluster in $other"
    done
    other=$(procs slurmctld; procs slurmd)
    if [[ -n $other ]]; then
        die "other Slurm daemons are running, not started by $prog; stop them first: $(ps -o pid=,args= -p "$(paste -sd, - <<<"$other")" | tr -s ' \n' ' ')"
    fi

    if [[ -e $dir && ! -e $dir/$MARKER && -n $(ls -A "$dir") ]]; then
        die "$dir exists, is not empty and was not made by '$prog start'"
    fi
    mkdir -p "$dir"
    touch "$dir/$MARKER"
    rm -rf "$dir/state" "$dir/spool" "$dir/pids" "$dir/logs"
    mkdir -p "$dir/state" "$dir/spool" "$dir/pids" "$dir/logs"

    node=$(hostname -s)
    cpus=$(nproc)
    write_conf "$dir" "$node" "$cpus"
    export SLURM_CONF=$dir/slurm.conf

    start_munged "$dir"
    munge -n </dev/null | unmunge >/dev/null 2>&1 ||
        fail_start "$dir" "munge does not work (munged not answering on /run/munge/munge.socket.2?)"

    slurmctld -c -f "$SLURM_CONF" || fail_start "$dir" "slurmctld failed to start"
    slurmd -f "$SLURM_CONF" || fail_start "$dir" "slurmd failed to start"

    state=
    t0=$SECONDS
    deadline=$((t0 + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        # A daemon that wrote its pid file and is gone, or never wrote it
        # within 5 s, has failed.
        for d in slurmctld slurmd; do
            live_pid "$dir/pids/$d.pid" >/dev/null && continue
            [[ -s $dir/pids/$d.pid ]] || ((SECONDS >= t0 + 5)) || continue
            fail_start "$dir" "$d is not running (it died while starting)"
        done
        # sinfo waits MessageTimeout (10 s) for a slurmctld that does not answer
        state=$(timeout 5 sinfo -h -n "$node" -o %T 2>/dev/null || true)
        [[ $state == idle ]] && return 0
        sleep 0.2
    done
    fail_start "$dir" "node $node not idle after ${START_TIMEOUT}s (state: '${state:-no answer}')"
}

# "<id> <state> <exit>" for each task of a job, from slurmctld's memory
states_from_scontrol() {
    local job=$1
    scontrol -o show job "$job" 2>/dev/null | awk '
        {
            id = ""; arr = ""; task = ""; st = ""; ex = ""
            for (i = 1; i <= NF; i++) {
                split($i, kv, "=")
                if (kv[1] == "JobId") id = kv[2]
                else if (kv[1] == "ArrayJobId") arr = kv[2]
                else if (kv[1] == "ArrayTaskId") task = kv[2]
                else if (kv[1] == "JobState") st = kv[2]
                else if (kv[1] == "ExitCode") ex = kv[2]
            }
            if (arr != "") print arr "_" task, st, ex
            else print id, st, ex
        }'
}

# the same from the jobcomp/filetxt log: one line per finished job or array
# task, with ArrayJobId/ArrayTaskId fields for tasks; the last line of a task
# wins (a requeued task has several). Its ExitCode is 0:0 for cancelled tasks.
states_from_jobcomp() {
    local dir=$1 job=$2
    [[ -s $dir/logs/jobcomp.log ]] || return 0
    awk -v job="$job" '
        {
            id = ""; arr = ""; task = ""; st = ""; ex = ""
            for (i = 1; i <= NF; i++) {
                n = index($i, "="); k = substr($i, 1, n - 1); v = substr($i, n + 1)
                if (k == "JobId") id = v
                else if (k == "ArrayJobId") arr = v
                else if (k == "ArrayTaskId") task = v
                else if (k == "JobState") st = v
                else if (k == "ExitCode") ex = v
            }
            if (arr == job && task != "") last[arr "_" task] = st " " ex
            else if (id == job && arr == "") last[id] = st " " ex
        }
        END { for (k in last) print k, last[k] }' "$dir/logs/jobcomp.log"
}

cmd_wait_job() {
    local dir job timeout deadline active out
    dir=$(abspath "$1") job=$2 timeout=$3
    [[ $job =~ ^[0-9]+$ ]] || die "JOBID must be a number, not '$job'"
    [[ $timeout =~ ^[0-9]+$ ]] || die "TIMEOUT_SECONDS must be a whole number, not '$timeout'"
    [[ -e $dir/$MARKER ]] || die "$dir was not made by '$prog start'"
    export SLURM_CONF=$dir/slurm.conf
    deadline=$((SECONDS + timeout))
    while :; do
        # Every task of the job, in any state; "Invalid job id" once the job has
        # been purged from slurmctld (which also means it has ended). Other
        # errors (slurmctld busy, ...) are retried.
        if out=$(squeue -h --jobs="$job" -t all -o '%i %T' 2>&1); then
            active=$(awk '$2 !~ /^(COMPLETED|CANCELLED|FAILED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|REVOKED|SPECIAL_EXIT)$/' <<<"$out")
            [[ -z $active ]] && break
        elif [[ $out == *"Invalid job id"* ]]; then
            break
        else
            active="squeue failed: $out"
        fi
        if ((SECONDS >= deadline)); then
            note "job $job has not ended after ${timeout}s:"
            printf '%s\n' "$active" >&2
            return 124
        fi
        sleep 0.5
    done
    out=$(states_from_scontrol "$job" || true)
    [[ -n $out ]] || out=$(states_from_jobcomp "$dir" "$job" || true)
    [[ -n $out ]] || die "no record of job $job (neither in slurmctld nor in $dir/logs/jobcomp.log)"
    printf '%s\n' "$out" | sort -t_ -k2,2n | awk '!seen[$1]++'
}

KILLWAIT=${SLURM_CLUSTER_KILLWAIT:-5}
[[ $KILLWAIT =~ ^[0-9]+$ ]] || die "SLURM_CLUSTER_KILLWAIT must be a whole number"
[[ $(id -u) == 0 ]] || die "must run as root"

case "${1:-}" in
    start) [[ $# == 2 ]] || usage; cmd_start "$2" ;;
    stop) [[ $# == 2 ]] || usage; cmd_stop "$2" ;;
    wait-job) [[ $# == 4 ]] || usage; cmd_wait_job "$2" "$3" "$4" ;;
    *) usage ;;
esac

#!/usr/bin/env bash
# slurm-up.sh: bring up a real single-node Slurm (Debian's slurm-wlm 22.05
# packages) on this machine, as root and without systemd, so the Slurm
# executor plugin's tests run against the real sbatch/squeue/sacct/scancel.
#
# What it does, in order, each step idempotent:
#   1. installs slurm-wlm and munge (plus slurmdbd and mariadb-server for
#      accounting, so sacct works) when they are missing;
#   2. writes slurm.conf (and cgroup.conf, slurmdbd.conf) for this host, from
#      `slurmd -C`, so CPUs and memory are never guessed;
#   3. starts munged, then mariadbd and slurmdbd (accounting), then slurmctld
#      and slurmd, each only when it is not already running, waiting until
#      each answers before starting the next;
#   4. waits until the node is idle and a smoke job has run to its end.
#
# Run again, it finds everything installed and running and only re-checks
# readiness (a couple of seconds). If the configuration it would write
# differs from what is installed, daemons it started are restarted with the
# new one; daemons it did not start only get `scontrol reconfigure`.
#
# Every daemon this script starts is recorded as $STATE/<daemon>.pid, so
# slurm-down.sh stops exactly those. Daemons already running (a site's own,
# say) are used as they are and never recorded.
#
# Progress goes to stdout; on failure the script exits non-zero naming the
# step that failed, with the end of the relevant log. The last line on
# success is "slurm-up: ready".
#
# Environment:
#   SLURM_UP_ACCOUNTING  1 (default): slurmdbd + MariaDB, full sacct; 0: none
#   SLURM_UP_CGROUP      auto (default), yes or no: task/cgroup memory limits
#                        (real OUT_OF_MEMORY) need a writable cgroup v1 tree
#   SLURM_UP_MAX_ARRAY   MaxArraySize (default 1001, Slurm's own default)
#   SLURM_UP_OVERSUBSCRIBE  jobs that may share one core (default 8): test
#                        jobs are tiny, and Slurm starts jobs about once a
#                        second, so on 2 cores 2 jobs a second would be the
#                        cap; 1 gives the usual one job per core
#   SLURM_UP_STATE       where started daemons are recorded (default /run/reflow-slurm)
set -euo pipefail

ACCOUNTING=${SLURM_UP_ACCOUNTING:-1}
CGROUP=${SLURM_UP_CGROUP:-auto}
MAX_ARRAY=${SLURM_UP_MAX_ARRAY:-1001}
OVERSUB=${SLURM_UP_OVERSUBSCRIBE:-8}
STATE=${SLURM_UP_STATE:-/run/reflow-slurm}
CLUSTER=reflow
# Marks the files this script writes, so it never overwrites a site's own.
MARK="# Written by reflow scripts/testenv/slurm-up.sh; edits are overwritten."

T0=${EPOCHREALTIME/[.,]/}
step="starting"
# say MSG: progress, with the seconds since the start.
say() {
	local ms=$(((${EPOCHREALTIME/[.,]/} - T0) / 1000))
	printf 'slurm-up: [%3d.%01ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"
}
reported=0
die() {
	printf 'slurm-up: FAILED during "%s": %s\n' "$step" "$*" >&2
	reported=1
	exit 1
}
# tail_log FILE: the end of a daemon's log, to show with a failure.
tail_log() { [ -f "$1" ] && { echo "--- last lines of $1:" >&2; tail -n 20 "$1" >&2; } || true; }
# A command that fails under set -e says nothing of where it was: name the step.
trap 'rc=$?; [ $rc -eq 0 ] || [ $reported = 1 ] || printf "slurm-up: FAILED during \"%s\" (exit %d)\n" "$step" "$rc" >&2' EXIT

[ "$(id -u)" = 0 ] || die "run as root: it installs packages and starts the Slurm daemons"
case $ACCOUNTING in 0 | 1) ;; *) die "SLURM_UP_ACCOUNTING must be 0 or 1, not '$ACCOUNTING'" ;; esac
case $CGROUP in auto | yes | no) ;; *) die "SLURM_UP_CGROUP must be auto, yes or no, not '$CGROUP'" ;; esac
[[ $MAX_ARRAY =~ ^[0-9]+$ ]] && [ "$MAX_ARRAY" -ge 1 ] || die "SLURM_UP_MAX_ARRAY must be a positive number, not '$MAX_ARRAY'"
[[ $OVERSUB =~ ^[0-9]+$ ]] && [ "$OVERSUB" -ge 1 ] || die "SLURM_UP_OVERSUBSCRIBE must be a positive number, not '$OVERSUB'"

# ---------------------------------------------------------------- helpers --

# alive PIDFILE COMM: the pid file names a live process called COMM.
alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(cat "$1")
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# wait_for SECONDS WHAT CMD...: retry CMD every 0.1 s until it succeeds, or
# fail naming WHAT.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# record NAME PIDFILE: note that this script started daemon NAME.
record() {
	mkdir -p "$STATE"
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$2" ] && break
		sleep 0.1
	done
	[ -s "$2" ] || die "$1 started but wrote no pid file $2"
	cp "$2" "$STATE/$1.pid"
}

# stop_ours NAME COMM: stop daemon NAME if this script started it (before a
# restart with a new configuration).
stop_ours() {
	local f=$STATE/$1.pid pid i
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then
		kill -TERM "$pid"
		for ((i = 0; i < 300; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	rm -f "$f"
}

# install_conf DEST MODE TMPFILE: move TMPFILE to DEST when it differs;
# returns 0 when DEST changed. Refuses to replace a file it did not write.
install_conf() {
	local dest=$1 mode=$2 tmp=$3
	if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
		rm -f "$tmp"
		return 1
	fi
	if [ -f "$dest" ] && ! grep -qxF "$MARK" "$dest"; then
		rm -f "$tmp"
		die "$dest exists and was not written by this script; move it away to let slurm-up.sh configure this machine"
	fi
	install -m "$mode" "$tmp" "$dest"
	rm -f "$tmp"
	return 0
}

# -------------------------------------------------------------- packages --
step="installing packages"
PKGS=(slurm-wlm munge)
[ "$ACCOUNTING" = 1 ] && PKGS+=(slurmdbd mariadb-server)
if dpkg -s "${PKGS[@]}" >/dev/null 2>&1; then
	say "packages present: ${PKGS[*]}"
else
	say "installing ${PKGS[*]} (Debian packages, no recommends)"
	# Without systemd the maintainer scripts would try to start the
	# daemons; a policy-rc.d saying "no" stops that. Removed again only if
	# this script made it.
	made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	log=/tmp/slurm-up-apt.log
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${PKGS[@]}"; } >"$log" 2>&1; then
		[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
		tail -n 30 "$log" >&2
		die "apt-get install ${PKGS[*]} failed (full log: $log)"
	fi
	[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
	say "installed $(dpkg-query -W -f '${Package} ${Version}  ' "${PKGS[@]}")"
fi

# ------------------------------------------------------------- host name --
step="checking the host name"
HOST=$(hostname -s)
[ -n "$HOST" ] || die "hostname -s is empty"
# slurmd must find its NodeName, which must resolve.
if ! getent hosts "$HOST" >/dev/null; then
	say "adding 127.0.0.1 $HOST to /etc/hosts (the node name must resolve)"
	echo "127.0.0.1 $HOST" >>/etc/hosts
fi

# ---------------------------------------------------------- configuration --
step="writing the configuration"
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
# The exact node line for this machine: a RealMemory above the real one
# would drain the node.
NODELINE=$(slurmd -C | head -n1)
[[ $NODELINE == NodeName=$HOST* ]] || die "unexpected 'slurmd -C' output: $NODELINE"

if [ "$CGROUP" = auto ]; then
	CGROUP=no
	# task/cgroup on 22.05 wants a writable cgroup v1 memory tree.
	if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && [ -d /sys/fs/cgroup/freezer ] &&
		mkdir /sys/fs/cgroup/memory/slurm-up-probe 2>/dev/null; then
		rmdir /sys/fs/cgroup/memory/slurm-up-probe
		CGROUP=yes
	fi
fi
changed=0
if [ "$CGROUP" = yes ]; then
	TRACK=$'ProctrackType=proctrack/cgroup\nTaskPlugin=task/cgroup'
	tmp=$(mktemp)
	printf '%s\n' "$MARK" CgroupPlugin=cgroup/v1 CgroupAutomount=no ConstrainCores=no \
		ConstrainRAMSpace=yes ConstrainSwapSpace=yes AllowedSwapSpace=0 >"$tmp"
	install_conf /etc/slurm/cgroup.conf 0644 "$tmp" && changed=1
else
	# Without cgroups the accounting poller still kills jobs over --mem.
	TRACK=$'ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nJobAcctGatherParams=OverMemoryKill'
	if [ -f /etc/slurm/cgroup.conf ] && grep -qxF "$MARK" /etc/slurm/cgroup.conf; then
		rm -f /etc/slurm/cgroup.conf
		changed=1
	fi
fi
if [ "$ACCOUNTING" = 1 ]; then
	ACCT=$'AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost\nAccountingStoragePort=6819'
else
	ACCT=AccountingStorageType=accounting_storage/none
fi

SHARE=OverSubscribe=NO
[ "$OVERSUB" -gt 1 ] && SHARE=OverSubscribe=FORCE:$OVERSUB

tmp=$(mktemp)
cat >"$tmp" <<CONF
$MARK
ClusterName=$CLUSTER
SlurmctldHost=$HOST
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$TRACK
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
# Schedule at once on every submit and end: tests wait on the queue.
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,default_queue_depth=1000,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a per-CPU default every job gets the whole node's memory and jobs
# run one at a time.
DefMemPerCPU=256
MaxArraySize=$MAX_ARRAY
MessageTimeout=5
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
MinJobAge=300
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
$ACCT
$NODELINE State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP $SHARE
CONF
install_conf /etc/slurm/slurm.conf 0644 "$tmp" && changed=1
[ "$changed" = 1 ] && say "configuration written (/etc/slurm/slurm.conf: $HOST, cgroup=$CGROUP, accounting=$ACCOUNTING, MaxArraySize=$MAX_ARRAY, $SHARE)" ||
	say "configuration unchanged"

if [ "$changed" = 1 ]; then
	# Daemons this script started pick up the new configuration by a
	# restart (some settings, such as the task plugin, need one).
	stop_ours slurmd slurmd
	stop_ours slurmctld slurmctld
fi

# ----------------------------------------------------------------- munged --
step="starting munged"
if [ ! -s /etc/munge/munge.key ]; then
	say "creating the munge key"
	mungekey --create --force >/dev/null
	chown munge: /etc/munge/munge.key
	chmod 0400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 0755 /run/munge
if alive /run/munge/munged.pid munged; then
	say "munged already running"
else
	rm -f /run/munge/munged.pid # stale: a new daemon must not be confused with it
	runuser -u munge -- /usr/sbin/munged
	record munged /run/munge/munged.pid
	say "munged started (pid $(cat $STATE/munged.pid))"
fi
munge_ok() { munge -n </dev/null | unmunge >/dev/null; }
wait_for 10 munge munge_ok || { tail_log /var/log/munge/munged.log; die "munge does not answer"; }

# ------------------------------------------------------ mariadb, slurmdbd --
if [ "$ACCOUNTING" = 1 ]; then
	step="starting mariadb"
	install -d -o mysql -g mysql -m 0755 /run/mysqld
	db_ok() { mariadb-admin --protocol=socket ping; }
	if db_ok >/dev/null 2>&1; then
		say "mariadb already running"
	else
		# A second mariadbd would wait 30 s for the first one's locks, so
		# only start one when none answers.
		rm -f /run/mysqld/mysqld.pid
		setsid /usr/sbin/mariadbd --user=mysql --pid-file=/run/mysqld/mysqld.pid \
			>>/var/log/slurm/mariadbd.console.log 2>&1 </dev/null &
		wait_for 60 mariadb db_ok || { tail_log /var/log/slurm/mariadbd.console.log; die "mariadb does not answer"; }
		record mariadbd /run/mysqld/mysqld.pid
		say "mariadb started (pid $(cat $STATE/mariadbd.pid))"
	fi
	mariadb --protocol=socket -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmdbpass';
		GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';" ||
		die "cannot create the slurm database user"

	step="starting slurmdbd"
	tmp=$(mktemp)
	cat >"$tmp" <<CONF
$MARK
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurmdbpass
StorageLoc=slurm_acct_db
CONF
	# slurmdbd refuses a configuration others can read (it holds a password).
	if install_conf /etc/slurm/slurmdbd.conf 0600 "$tmp"; then
		stop_ours slurmdbd slurmdbd
	fi
	if alive /run/slurmdbd.pid slurmdbd; then
		say "slurmdbd already running"
	else
		rm -f /run/slurmdbd.pid
		/usr/sbin/slurmdbd
		record slurmdbd /run/slurmdbd.pid
		say "slurmdbd started (pid $(cat $STATE/slurmdbd.pid))"
	fi
	wait_for 30 slurmdbd sacctmgr -n -P show cluster || { tail_log /var/log/slurm/slurmdbd.log; die "slurmdbd does not answer sacctmgr"; }
	if ! sacctmgr -n -P show cluster format=cluster | grep -qx "$CLUSTER"; then
		sacctmgr -i add cluster "$CLUSTER" >/dev/null || die "sacctmgr add cluster $CLUSTER failed"
		say "cluster $CLUSTER added to the accounting database"
	fi
fi

# ------------------------------------------------------ slurmctld, slurmd --
step="starting slurmctld"
ctld_ok() { scontrol ping | grep -q 'is UP'; }
if alive /run/slurmctld.pid slurmctld; then
	if [ "$changed" = 1 ]; then
		# Not ours (ours was stopped above): apply what can be applied live.
		say "slurmctld already running (not started here): scontrol reconfigure"
		scontrol reconfigure || die "scontrol reconfigure failed"
	else
		say "slurmctld already running"
	fi
else
	rm -f /run/slurmctld.pid
	/usr/sbin/slurmctld
	record slurmctld /run/slurmctld.pid
	say "slurmctld started (pid $(cat $STATE/slurmctld.pid))"
fi
wait_for 30 slurmctld ctld_ok || { tail_log /var/log/slurm/slurmctld.log; die "slurmctld does not answer scontrol ping"; }

step="starting slurmd"
if alive /run/slurmd.pid slurmd; then
	say "slurmd already running"
else
	rm -f /run/slurmd.pid
	/usr/sbin/slurmd
	record slurmd /run/slurmd.pid
	say "slurmd started (pid $(cat $STATE/slurmd.pid))"
fi

step="waiting for node $HOST"
node_state() { sinfo -h -n "$HOST" -o %T 2>/dev/null | head -n1; }
node_ready() { case $(node_state) in idle | mixed | allocated | completing) return 0 ;; esac; return 1; }
if ! wait_for 5 node node_ready; then
	case $(node_state) in
	*drain* | *down* | *fail*)
		# A node left down or drained by an earlier incident (a test that
		# set it down, a slurmd that died): this is a test machine.
		say "node $HOST is $(node_state): resuming it"
		scontrol update NodeName="$HOST" State=RESUME || true
		;;
	esac
	wait_for 30 node node_ready || {
		tail_log /var/log/slurm/slurmd.log
		scontrol show node "$HOST" >&2 || true
		die "node $HOST is '$(node_state)', not idle"
	}
fi
say "node $HOST is $(node_state)"

# ------------------------------------------------------------ smoke test --
step="running a smoke job"
out=$(mktemp /tmp/slurm-up-smoke.XXXXXX)
id=$(sbatch --parsable -J slurm-up-smoke -t 1 -o "$out" --wrap 'echo ready') || die "sbatch of the smoke job failed"
id=${id%%;*}
in_queue() { squeue -h -j "$id" -o %T 2>/dev/null | grep -qv -e COMPLETED -e '^$'; }
for ((i = 0; i < 600; i++)); do
	in_queue || break
	sleep 0.1
done
if in_queue || ! grep -qx ready "$out"; then
	squeue -h -t all -j "$id" -o '%i %T %r' >&2 || true
	tail_log /var/log/slurm/slurmctld.log
	tail_log /var/log/slurm/slurmd.log
	rm -f "$out"
	die "smoke job $id did not run to completion within 60 s"
fi
rm -f "$out"
say "smoke job $id ran"
if [ "$ACCOUNTING" = 1 ]; then
	# sacct lags a second or two; it must know the job for the accounting
	# path of the tests to mean anything.
	sacct_ok() { sacct -X -n -P -o JobID -j "$id" | grep -qx "$id"; }
	wait_for 20 sacct sacct_ok || { tail_log /var/log/slurm/slurmdbd.log; die "sacct does not show smoke job $id"; }
	say "sacct shows job $id"
fi
step="done"
say "started by this script (stopped by slurm-down.sh): $(cd "$STATE" 2>/dev/null && ls -- *.pid 2>/dev/null | sed 's/\.pid$//' | tr '\n' ' ' || true)"
echo "slurm-up: ready"

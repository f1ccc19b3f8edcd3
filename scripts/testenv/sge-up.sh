#!/usr/bin/env bash
# sge-up.sh: bring up a real single-node Son of Grid Engine (Debian's
# gridengine 8.1.9 packages) on this machine, as root, without systemd, so
# the SGE executor plugin's tests run against the real qsub/qstat/qacct/qdel.
#
# Idempotent: packages already installed are not reinstalled, daemons already
# running are left alone, and configuration is (re)applied every time. The
# daemons this script starts are recorded under $STATE so that sge-down.sh
# stops exactly those and nothing else.
#
# Exits non-zero with a message naming the step that failed. On success the
# last line is "sge-up: ready".
#
# Environment:
#   SGE_UP_SLOTS   slots of the queue all.q (default: nproc)
#   SGE_UP_STATE   where the started daemons are recorded (default /run/reflow-sge)
set -euo pipefail

step="starting"
say() { printf 'sge-up: %s\n' "$*"; }
die() { printf 'sge-up: FAILED: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "sge-up: FAILED during: %s (exit %d)\n" "$step" "$rc" >&2' EXIT

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts the SGE daemons)"

HOST=$(hostname)
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
COMMON=$SGE_ROOT/$SGE_CELL/common
SPOOL=/var/spool/gridengine
STATE=${SGE_UP_STATE:-/run/reflow-sge}
SLOTS=${SGE_UP_SLOTS:-$(nproc)}
PKGS=(gridengine-master gridengine-exec gridengine-client)

# --- 1. packages --------------------------------------------------------------
step="installing ${PKGS[*]}"
if dpkg -s "${PKGS[@]}" >/dev/null 2>&1; then
	say "packages present: $(dpkg-query -W -f '${Package} ${Version}  ' "${PKGS[@]}")"
else
	say "installing ${PKGS[*]} (Debian packages, no recommends)"
	# The postinst only creates the cell (init_cluster) when debconf says
	# so; answer its questions up front so the install runs unattended.
	for p in gridengine-common "${PKGS[@]}"; do
		printf '%s shared/gridengineconfig boolean true\n' "$p"
		printf '%s shared/gridenginecell string %s\n' "$p" "$SGE_CELL"
		printf '%s shared/gridenginemaster string %s\n' "$p" "$HOST"
	done | debconf-set-selections
	# Without systemd the packages' init scripts would try (and fail) to
	# start the daemons during the install; a policy-rc.d that says "no"
	# stops that. Only remove it if this script made it.
	made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	if ! apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/tmp/sge-up-apt.log 2>&1; then
		tail -n 30 /tmp/sge-up-apt.log >&2
		[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
		die "apt-get install ${PKGS[*]} failed (log: /tmp/sge-up-apt.log)"
	fi
	[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
	rm -f /tmp/sge-up-apt.log
	say "installed: $(dpkg-query -W -f '${Package} ${Version}  ' "${PKGS[@]}")"
fi
[ -f "$COMMON/bootstrap" ] || die "$COMMON/bootstrap is missing: the cell was not created (dpkg-reconfigure gridengine-common, answering yes to automatic configuration)"

# --- 2. host name trap --------------------------------------------------------
# SGE insists that a client's address resolves back to the client's own host
# name. When this host's address resolves to another name (127.0.0.1 →
# localhost while hostname is "vm"), every client call is refused with
# "access denied (client IP resolved to host name ...)". An alias in the cell
# makes the two names one host; the first name is the one SGE uses.
step="host name aliases"
ADDR=$(getent ahostsv4 "$HOST" | awk 'NR==1{print $1}')
[ -n "$ADDR" ] || die "host name $HOST does not resolve (add it to /etc/hosts)"
BACK=$(getent hosts "$ADDR" | awk 'NR==1{print $2}')
if [ -n "$BACK" ] && [ "$BACK" != "$HOST" ]; then
	say "host $HOST has address $ADDR, which resolves back to $BACK: aliasing the two in $COMMON/host_aliases"
	echo "$HOST $BACK" >"$COMMON/host_aliases"
else
	rm -f "$COMMON/host_aliases"
fi
echo "$HOST" >"$COMMON/act_qmaster"

# --- 3. qmaster ---------------------------------------------------------------
mkdir -p "$STATE"
install -d -o sgeadmin -g sgeadmin /run/gridengine
# alive PIDFILE NAME: the pid in PIDFILE is a running NAME process.
alive() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}
wait_pidfile() { # wait_pidfile GLOB NAME: echo the pid once a NAME process wrote it (30 s at most)
	local f
	for _ in $(seq 300); do
		for f in $1; do
			if alive "$f" "$2"; then cat "$f"; return 0; fi
		done
		sleep 0.1
	done
	return 1
}

step="starting sge_qmaster"
if pgrep -x sge_qmaster >/dev/null; then
	say "sge_qmaster already running (pid $(pgrep -x sge_qmaster | tr '\n' ' ')); left as it is"
else
	say "starting sge_qmaster"
	/usr/sbin/sge_qmaster # daemonizes and switches to sgeadmin
	pid=$(wait_pidfile "$SPOOL/qmaster/qmaster.pid" sge_qmaster) || die "sge_qmaster did not start (see $SPOOL/qmaster/messages)"
	echo "$pid" >"$STATE/sge_qmaster.pid"
	say "sge_qmaster started, pid $pid"
fi
step="waiting for the qmaster to answer"
for _ in $(seq 150); do
	qconf -sh >/dev/null 2>&1 && break
	sleep 0.2
done
qconf -sh >/dev/null || die "the qmaster does not answer qconf -sh (see $SPOOL/qmaster/messages)"
say "qmaster answers"

# --- 4. configuration ---------------------------------------------------------
W=$(mktemp -d /tmp/sge-up.XXXXXX)
trap 'rc=$?; rm -rf "$W"; [ $rc -eq 0 ] || printf "sge-up: FAILED during: %s (exit %d)\n" "$step" "$rc" >&2' EXIT
cd "$W"
# qconf prints long values with "\" continuations; join them so that one
# setting is one line and sed can replace it.
unfold() { sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta'; }
# run_q CMD...: run a qconf change; on failure show what it said and stop.
run_q() {
	local out
	out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; die "$* failed"; }
}
set_key() { # set_key KEY VALUE FILE: replace the line of KEY (it must exist)
	grep -q "^$1[[:space:]]" "$3" || die "qconf output $3 has no '$1' line"
	sed -i "s|^$1[[:space:]].*|$1 $2|" "$3"
}

step="global configuration"
# The file name is the config's name for qconf -Mconf.
qconf -sconf | unfold >global
# Debian's default refuses jobs of uid/gid < 1000; CI runs as root.
set_key min_uid 0 global
set_key min_gid 0 global
set_key load_report_time 00:00:05 global
# accounting_flush_time=0 makes qacct see a job right after it leaves qstat
# (the default buffers up to 15 s, which the plugin would see as a gap).
set_key reporting_params 'accounting=true reporting=false flush_time=00:00:01 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00' global
run_q qconf -Mconf global
say "global config: min_uid/min_gid 0, accounting flushed at once"

step="scheduler configuration"
qconf -ssconf | unfold >sched
# A one-second scheduling cycle instead of 15 s; no load adjustments, so a
# busy 2-core box does not look overloaded to the scheduler.
set_key schedule_interval 0:0:1 sched
set_key flush_submit_sec 1 sched
set_key flush_finish_sec 1 sched
set_key job_load_adjustments NONE sched
set_key load_adjustment_decay_time 0:0:0 sched
run_q qconf -Msconf sched
say "scheduler: 1 s cycle"

step="hosts"
qconf -ss 2>/dev/null | grep -qx "$HOST" || run_q qconf -as "$HOST"
if ! qconf -sel 2>/dev/null | grep -qx "$HOST"; then
	printf 'hostname %s\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' "$HOST" >exechost
	run_q qconf -Ae exechost
fi
printf 'group_name @allhosts\nhostlist %s\n' "$HOST" >allhosts
if qconf -shgrpl 2>/dev/null | grep -qx @allhosts; then
	run_q qconf -Mhgrp allhosts
else
	run_q qconf -Ahgrp allhosts
fi
say "submit/exec host $HOST in @allhosts"

step="parallel environment smp"
# smp: all slots of a job on one host, for cpus > 1 (-pe smp N).
cat >smp <<'EOF'
pe_name            smp
slots              999
user_lists         NONE
xuser_lists        NONE
start_proc_args    NONE
stop_proc_args     NONE
allocation_rule    $pe_slots
control_slaves     FALSE
job_is_first_task  TRUE
urgency_slots      min
accounting_summary FALSE
qsort_args         NONE
EOF
if qconf -spl 2>/dev/null | grep -qx smp; then
	run_q qconf -Mp smp
else
	run_q qconf -Ap smp
fi
say "parallel environment smp (allocation_rule \$pe_slots)"

step="queue all.q"
if qconf -sql 2>/dev/null | grep -qx all.q; then
	qconf -sq all.q | unfold >allq
	verb=-Mq
else
	# With EDITOR=cat, "qconf -aq" prints the default queue template and
	# adds nothing.
	EDITOR=cat qconf -aq all.q 2>/dev/null | unfold >allq || true
	[ -s allq ] || die "could not get a queue template from qconf -aq"
	verb=-Aq
fi
set_key qname all.q allq
set_key hostlist @allhosts allq
set_key slots "$SLOTS" allq
set_key load_thresholds NONE allq
set_key pe_list smp allq
set_key shell /bin/bash allq
# unix_behavior: the job script's #! line picks the shell, as users expect.
set_key shell_start_mode unix_behavior allq
run_q qconf "$verb" allq
say "queue all.q: $SLOTS slots on @allhosts, pe smp"
cd /

# --- 5. execd -----------------------------------------------------------------
step="starting sge_execd"
if pgrep -x sge_execd >/dev/null; then
	say "sge_execd already running (pid $(pgrep -x sge_execd | tr '\n' ' ')); left as it is"
else
	say "starting sge_execd"
	/usr/sbin/sge_execd
	# The execd spools under its own idea of the host name (localhost
	# here), hence the glob.
	pid=$(wait_pidfile "$SPOOL/execd/*/execd.pid" sge_execd) || die "sge_execd did not start (see $SPOOL/execd/*/messages)"
	echo "$pid" >"$STATE/sge_execd.pid"
	say "sge_execd started, pid $pid"
fi

step="waiting for the queue instance all.q@$HOST"
ready=0
for _ in $(seq 300); do
	# "all.q@vm  BIP  0/0/2  0.52  lx-amd64  [states]": ready once the load
	# is a number and no alarm/unknown/error/disabled state is shown.
	line=$(qstat -f -q all.q 2>/dev/null | awk -v q="all.q@$HOST" '$1==q')
	if [ -n "$line" ]; then
		load=$(awk '{print $4}' <<<"$line")
		states=$(awk '{print $6}' <<<"$line")
		if [ "$load" != "-NA-" ] && ! grep -q '[auEdD]' <<<"$states"; then
			ready=1
			break
		fi
	fi
	sleep 0.2
done
[ "$ready" = 1 ] || { qstat -f >&2 || true; die "queue instance all.q@$HOST did not become ready within 60 s"; }
say "queue instance all.q@$HOST is up: $line"

step="smoke job"
out=$(mktemp /tmp/sge-up-smoke.XXXXXX)
if ! timeout 120 qsub -sync y -b y -j y -o "$out" -N sge_up_smoke echo ready >/dev/null; then
	rm -f "$out"
	die "the smoke job (qsub -sync y echo ready) did not succeed"
fi
grep -qx ready "$out" || { cat "$out" >&2; rm -f "$out"; die "the smoke job ran but did not write 'ready'"; }
rm -f "$out"
say "smoke job ran"
say "ready"

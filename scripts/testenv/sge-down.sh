#!/usr/bin/env bash
# sge-down.sh: stop the Grid Engine daemons that sge-up.sh started, and only
# those. sge-up.sh records the pid of each daemon it started in $STATE; a
# daemon that was already running when sge-up.sh ran (a site's own, or one
# another script started) is not recorded and is left alone.
#
# Packages and configuration stay, so the next sge-up.sh is quick. Jobs still
# in the queue stay spooled and run when the daemons come back.
#
# Environment:
#   SGE_UP_STATE   where sge-up.sh recorded the daemons (default /run/reflow-sge)
set -euo pipefail

STATE=${SGE_UP_STATE:-/run/reflow-sge}
say() { printf 'sge-down: %s\n' "$*"; }
die() { printf 'sge-down: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"

# stop NAME: stop the NAME daemon whose pid sge-up.sh recorded, if it is
# still that daemon (the pid may have been reused since).
stop() {
	local name=$1 file=$STATE/$1.pid pid
	if [ ! -f "$file" ]; then
		say "$name: not started by sge-up.sh; left alone"
		return 0
	fi
	pid=$(cat "$file")
	if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
		say "$name: pid ${pid:-?} is no longer $name; nothing to stop"
		rm -f "$file"
		return 0
	fi
	say "stopping $name (pid $pid)"
	kill -TERM "$pid"
	# The qmaster writes its state to the spool on the way down; give it
	# time before forcing.
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name (pid $pid) still running after 30 s; sending SIGKILL"
		kill -KILL "$pid" || true
		sleep 0.5
		! kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) does not stop"
	fi
	rm -f "$file"
	say "$name stopped"
}

# The execd first, so it does not spend the qmaster's shutdown reconnecting.
stop sge_execd
stop sge_qmaster
say "done"

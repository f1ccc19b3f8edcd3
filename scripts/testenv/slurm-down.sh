#!/usr/bin/env bash
# slurm-down.sh: stop the Slurm daemons that slurm-up.sh started, and only
# those. slurm-up.sh records each daemon it started as $STATE/<daemon>.pid;
# a daemon that was already running when it ran (a site's own, or one some
# other script started) is not recorded and is left alone.
#
# Packages and configuration stay, so the next slurm-up.sh is quick. Slurm
# keeps its jobs and job ids in /var/spool/slurmctld across restarts; with
# --purge the job state, the job completion log and the accounting database
# are removed as well, so the next slurm-up.sh starts from job id 1. Purging
# refuses to run while a slurmctld it did not start is running.
#
# Usage: slurm-down.sh [--purge]
# Environment:
#   SLURM_UP_STATE   where slurm-up.sh recorded the daemons (default /run/reflow-slurm)
set -euo pipefail

STATE=${SLURM_UP_STATE:-/run/reflow-slurm}
PURGE=0
for a; do
	case $a in
	--purge) PURGE=1 ;;
	-h | --help)
		sed -n '2,15p' "$0"
		exit 0
		;;
	*)
		echo "slurm-down: unknown argument '$a' (usage: slurm-down.sh [--purge])" >&2
		exit 2
		;;
	esac
done
say() { printf 'slurm-down: %s\n' "$*"; }
die() {
	printf 'slurm-down: FAILED: %s\n' "$*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root"

# ours NAME: the pid of daemon NAME if slurm-up.sh started it and it still
# runs as NAME (the pid may have been reused); empty otherwise.
ours() {
	local f=$STATE/$1.pid pid
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
	return 0
}

# stop NAME: stop daemon NAME if slurm-up.sh started it.
stop() {
	local name=$1 pid i
	if [ ! -f "$STATE/$name.pid" ]; then
		say "$name: not started by slurm-up.sh; left alone"
		return 0
	fi
	pid=$(ours "$name")
	if [ -z "$pid" ]; then
		say "$name: no longer running"
		rm -f "$STATE/$name.pid"
		return 0
	fi
	say "stopping $name (pid $pid)"
	kill -TERM "$pid"
	# slurmctld saves its state and mariadb flushes on the way down.
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name (pid $pid) still running after 30 s: SIGKILL"
		kill -KILL "$pid" || true
		sleep 0.5
		! kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) does not stop"
	fi
	rm -f "$STATE/$name.pid"
	say "$name stopped"
}

if [ "$PURGE" = 1 ] && [ -s /run/slurmctld.pid ] && [ -z "$(ours slurmctld)" ] &&
	[ "$(cat "/proc/$(cat /run/slurmctld.pid)/comm" 2>/dev/null)" = slurmctld ]; then
	die "--purge: a slurmctld that slurm-up.sh did not start is running; not removing its state"
fi

# Reverse order of slurm-up.sh: compute node, controller, accounting, auth.
stop slurmd
stop slurmctld
if [ "$PURGE" = 1 ]; then
	# The database must still be up to be dropped, and slurmdbd down so it
	# does not recreate it.
	stop slurmdbd
	if mariadb-admin --protocol=socket ping >/dev/null 2>&1; then
		mariadb --protocol=socket -e 'DROP DATABASE IF EXISTS slurm_acct_db' && say "accounting database dropped"
	fi
	rm -rf /var/spool/slurmctld/* /var/spool/slurmd/*
	: >/var/log/slurm/jobcomp.log 2>/dev/null || true
	say "job state removed: the next slurm-up.sh starts from job id 1"
fi
[ "$PURGE" = 1 ] || stop slurmdbd # --purge stopped it already
stop mariadbd
stop munged
rmdir "$STATE" 2>/dev/null || true
say "done"

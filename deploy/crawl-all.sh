#!/usr/bin/env bash
# Daily run of every outlet: `scrapy crawl NAME` for each name `scrapy list` prints, one after
# the other, each with its own log file. Extra arguments go to every crawl:
#
#   deploy/crawl-all.sh -s ARCHIVE_DIR=/var/lib/nmg-archive -s CONTACT=mailto:you@example.org
#
# Environment (all optional):
#   NMG_HOME         the checkout (default: the directory above this script)
#   NMG_VENV         its virtualenv (default: $NMG_HOME/.venv)
#   NMG_LOG_DIR      where the per-crawl logs go (default: $NMG_HOME/logs)
#   NMG_JOBDIR_ROOT  if set, each spider crawls with JOBDIR=$NMG_JOBDIR_ROOT/NAME: a run stopped
#                    by SIGTERM/SIGINT (systemctl stop, Ctrl-C, shutdown) resumes where it stopped
#                    at the next start; the JOBDIR is removed once that spider's crawl finishes.
#
# Exit status: 0 when every crawl finished, 1 when any failed or did not finish (the others
# still run), 2 when no spider could be listed, 130/143 when stopped by SIGINT/SIGTERM.
set -uo pipefail

home="${NMG_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
venv="${NMG_VENV:-$home/.venv}"
log_dir="${NMG_LOG_DIR:-$home/logs}"
scrapy="$venv/bin/scrapy"
cd "$home" || exit 2
mkdir -p "$log_dir" || exit 2

stopped=0
trap 'stopped=143' TERM
trap 'stopped=130' INT

mapfile -t spiders < <("$scrapy" list 2>>"$log_dir/list.err")
if [ "${#spiders[@]}" -eq 0 ]; then
    echo "$(date -Is) no spiders: \`$scrapy list\` printed nothing (see $log_dir/list.err)" >&2
    exit 2
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
failed=()
for spider in "${spiders[@]}"; do
    [ "$stopped" -ne 0 ] && break
    log="$log_dir/$spider-$stamp.log"
    args=(-s "LOG_FILE=$log")
    jobdir=""
    if [ -n "${NMG_JOBDIR_ROOT:-}" ]; then
        jobdir="$NMG_JOBDIR_ROOT/$spider"
        args+=(-s "JOBDIR=$jobdir")
    fi
    echo "$(date -Is) $spider: crawling (log $log${jobdir:+, JOBDIR $jobdir})"
    "$scrapy" crawl "$spider" "${args[@]}" "$@"
    status=$?
    if [ "$status" -eq 0 ] && grep -q "'finish_reason': 'finished'" "$log"; then
        echo "$(date -Is) $spider: finished"
        [ -n "$jobdir" ] && rm -rf -- "$jobdir"   # done: tomorrow starts afresh
    else
        reason="$(grep -o "'finish_reason': '[a-z_]*'" "$log" | tail -n 1)"
        echo "$(date -Is) $spider: NOT finished (exit $status${reason:+, $reason}); see $log" >&2
        failed+=("$spider")
    fi
done

if [ "$stopped" -ne 0 ]; then
    echo "$(date -Is) stopped by signal; ${NMG_JOBDIR_ROOT:+the next run resumes from $NMG_JOBDIR_ROOT}" >&2
    exit "$stopped"
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "$(date -Is) failed: ${failed[*]}" >&2
    exit 1
fi
echo "$(date -Is) all ${#spiders[@]} crawls finished"

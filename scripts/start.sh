#!/usr/bin/env bash
# One command from a fresh clone to a running platform on the embedded default:
# SQLite under ./data, the web app on http://localhost:3000, one grader process, a seeded demo course.
set -euo pipefail
cd "$(dirname "$0")/.."
# The quick start is a demo: seed the demo accounts and show them on /signin.
export STEPWISE_DEMO="${STEPWISE_DEMO:-1}"
# Installs, builds the grader and the web app, migrates and seeds.
bash scripts/setup.sh

export DATABASE_URL="${DATABASE_URL:-file:$PWD/data/stepwise.db}"
# Job control puts each background command in a process group of its own, so stopping one stops
# everything it started (pnpm, next, the grader's training children) and nothing is left behind.
set -m
pids=()
stops=0
stop_all() {
  stops=$((stops + 1))
  # The first stop lets the grader drain (GRADER_DRAIN_MS) and hand back what it could not finish;
  # a second Ctrl-C makes it hand back at once.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  [ "$stops" -gt 1 ] && return
  for pid in "${pids[@]}"; do
    while kill -0 -- "-$pid" 2>/dev/null; do sleep 0.2; done
  done
}
trap 'stop_all' INT TERM
trap 'stop_all; exit' EXIT

# The grader runs under node itself, not pnpm: pnpm does not pass SIGTERM on to its child. It runs
# the compiled build setup.sh made (apps/grader/dist), and refuses to start should it be stale.
node --enable-source-maps apps/grader/dist/main.js & pids+=($!)
pnpm --filter @stepwise/web run start & pids+=($!)
# Grade passback and daily roster sync for LMS-connected courses (idle when no LMS is registered).
node --import tsx apps/web/scripts/lti.ts worker & pids+=($!)

cat <<MSG

  Stepwise is starting on http://localhost:3000
  Demo student:     student@stepwise.test     / stepwise-student
  Demo instructor:  instructor@stepwise.test  / stepwise-instructor
  Database: $DATABASE_URL   (Ctrl-C stops web and grader)

MSG
wait -n "${pids[@]}" || true

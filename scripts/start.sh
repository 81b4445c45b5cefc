#!/usr/bin/env bash
# One command from a fresh clone to a running platform on the embedded default:
# SQLite under ./data, the web app on http://localhost:3000, one grader process, a seeded demo course.
set -euo pipefail
cd "$(dirname "$0")/.."
# The quick start is a demo: seed the demo accounts and show them on /signin.
export STEPWISE_DEMO="${STEPWISE_DEMO:-1}"
bash scripts/setup.sh

echo "==> building the web app"
pnpm --filter @stepwise/web run build

export DATABASE_URL="${DATABASE_URL:-file:$PWD/data/stepwise.db}"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

pnpm --filter @stepwise/grader run start & pids+=($!)
pnpm --filter @stepwise/web run start & pids+=($!)

cat <<MSG

  Stepwise is starting on http://localhost:3000
  Demo student:     student@stepwise.test     / stepwise-student
  Demo instructor:  instructor@stepwise.test  / stepwise-instructor
  Database: $DATABASE_URL   (Ctrl-C stops web and grader)

MSG
wait -n "${pids[@]}"

#!/bin/bash
# One day through Dagster (landing -> fct_daily_demand, scale 1) on two commits, runs alternated.
#
#   benchmarks/day_ab.sh <commit A> <commit B> [repetitions]
#
# Each commit is unpacked apart (git archive) with its own landing zone (its own simulator's 4 days),
# warehouse and Dagster instance; days 1-3 are built first, then day 4 is re-run on A and B in turn, so
# a drift of the machine's speed falls on both alike. Prints each run's seconds (benchmarks/steps.py).
set -euo pipefail
A=$1 B=$2 REPS=${3:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=$REPO/.venv/bin/python
export PATH=$REPO/.venv/bin:$PATH
WORK=$(mktemp -d /tmp/vision-day-ab-XXXX)
run_day() {  # name first last
  (cd "$WORK/$1/src" && VISION_DATA_DIR=$WORK/$1/data DAGSTER_HOME=$WORK/$1/data/dagster_home \
    VISION_LANDING_ROOT=$WORK/$1/landing PYTHONPATH=. \
    "$PY" -m benchmarks.steps dagster_days "{\"first\": \"$2\", \"last\": \"$3\"}" 2>/dev/null \
    | grep BENCH_RESULT | sed 's/.*"seconds": \([0-9.]*\).*/\1/')
}
for name in A B; do
  commit=${!name}
  mkdir -p "$WORK/$name/src" "$WORK/$name/data/dagster_home"
  git -C "$REPO" archive "$commit" | tar -x -C "$WORK/$name/src"
  cp "$WORK/$name/src/dagster.yaml" "$WORK/$name/data/dagster_home/"
  (cd "$WORK/$name/src" && PYTHONPATH=. "$PY" -m vision_assets.simulate --start 2026-11-01 --days 4 --scale 1 \
    --landing "$WORK/$name/landing" --truth "$WORK/$name/truth" > /dev/null)
  echo "$name ($commit): days 1-3 built in $(run_day "$name" 2026-11-01 2026-11-03) s"
done
for rep in $(seq "$REPS"); do
  for name in A B; do
    echo "$name run $rep: day 4 in $(run_day "$name" 2026-11-04 2026-11-04) s"
  done
done
rm -rf "$WORK"

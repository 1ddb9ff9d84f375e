#!/bin/bash
# Submits a sharded cutover sweep to Slurm: an array of N shard tasks, then the merge once all succeeded.
#   scale-out/slurm/submit.sh SCENARIO POLICIES SEEDS N OUT_DIR [extra sweep flags…]
# Prints the two job ids (array, merge). Run from anywhere; the jobs run in the repository root.
set -euo pipefail
if [ $# -lt 5 ]; then echo "usage: $0 SCENARIO POLICIES SEEDS N OUT_DIR [sweep flags…]" >&2; exit 2; fi
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scenario=$1 policies=$2 seeds=$3 shards=$4 out=$5
shift 5
export CUTOVER_SCENARIO="$scenario" CUTOVER_POLICIES="$policies" CUTOVER_SEEDS="$seeds" CUTOVER_SHARDS="$shards" \
  CUTOVER_OUT="$(mkdir -p "$out" && cd "$out" && pwd)" CUTOVER_SWEEP_ARGS="$*"
array=$(sbatch --parsable --array="1-$shards" --chdir="$repo" --output="$CUTOVER_OUT/slurm-%A_%a.out" --export=ALL "$here/sweep-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --chdir="$repo" --output="$CUTOVER_OUT/slurm-%j-merge.out" --export=ALL "$here/merge.sbatch")
echo "$array ${merge%%;*}"

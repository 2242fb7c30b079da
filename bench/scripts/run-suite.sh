#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite the way docs/PERFORMANCE.md reports it, and copies the result
# tables into bench/results/<name>/. Run as root from the repository root on a quiet machine.
#
#   bench/scripts/run-suite.sh ext4            # data under /tmp (the root file system, no journal here)
#   bench/scripts/run-suite.sh ext4-journal    # a fresh ext4 with its journal on a loop device
#                                              # (DESIGN.md §4 set the targets on such a device)
#   bench/scripts/run-suite.sh xfs-reflink     # a fresh XFS with reflink=1 on a loop device
#
# Extra BenchmarkDotNet arguments can follow, e.g. --filter '*CreateStorage*'.
set -euo pipefail
name=${1:?ext4, ext4-journal or xfs-reflink}
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)

case "$name" in
  ext4)
    export AEROSNAP_BENCH_DIR=${AEROSNAP_BENCH_DIR:-/tmp/aerosnap-bench}
    ;;
  ext4-journal | xfs-reflink)
    if [ -z "${LOOP_DIR:-}" ]; then
      # Mount the file system (see on-loop-fs.sh), then come back here with $LOOP_DIR set.
      exec "$repo/bench/scripts/on-loop-fs.sh" "$name" "$repo/bench/scripts/run-suite.sh" "$name" "$@"
    fi
    export AEROSNAP_BENCH_DIR=$LOOP_DIR
    ;;
  *) echo "unknown target $name" >&2; exit 2 ;;
esac

artifacts=$(mktemp -d -t aerosnap-bench.XXXXXX)
filter=("--filter" "*")
if [ "$#" -gt 0 ]; then filter=("$@"); fi
dotnet run --project "$repo/bench/AeroSnapshot.Bench" -c Release -- "${filter[@]}" --artifacts "$artifacts"

mkdir -p "$repo/bench/results/$name"
cp "$artifacts"/results/*-report-github.md "$artifacts"/results/*-report-full.json "$repo/bench/results/$name/"
rm -rf "$artifacts"
echo "results copied to bench/results/$name"

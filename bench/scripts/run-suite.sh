#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite the way docs/PERFORMANCE.md reports it, and copies the result
# tables into bench/results/<name>/. Run as root from the repository root on a quiet machine.
#
#   bench/scripts/run-suite.sh ext4            # data under /tmp (the root file system)
#   bench/scripts/run-suite.sh xfs-reflink     # data on a loop-mounted XFS with reflink=1
#   bench/scripts/run-suite.sh ext4-journal    # data on a loop-mounted ext4 with its journal
#                                              # (the root ext4 of these VMs has none; DESIGN.md §4
#                                              # set the targets on a journaled loop device)
#
# Extra BenchmarkDotNet arguments can follow, e.g. --filter '*CreateStorage*'.
set -euo pipefail
name=${1:?ext4 or xfs-reflink}
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
artifacts=$(mktemp -d -t aerosnap-bench.XXXXXX)
mount_point=""

cleanup() {
  if [ -n "$mount_point" ]; then umount "$mount_point" || true; rm -rf "$mount_point" "$mount_point.img"; fi
}
trap cleanup EXIT

# A file system in an image on the root disk, mounted through a loop device.
mount_loop() {
  mount_point=$(mktemp -d -t aerosnap-loop.XXXXXX)
  truncate -s 16G "$mount_point.img"
  "$@" "$mount_point.img"
  mount -o loop "$mount_point.img" "$mount_point"
  export AEROSNAP_BENCH_DIR=$mount_point
}

case "$name" in
  ext4)
    export AEROSNAP_BENCH_DIR=/tmp/aerosnap-bench
    ;;
  xfs-reflink)
    mount_loop mkfs.xfs -q -f -m reflink=1
    ;;
  ext4-journal)
    mount_loop mkfs.ext4 -q -F -j
    ;;
  *) echo "unknown target $name" >&2; exit 2 ;;
esac

filter=("--filter" "*")
if [ "$#" -gt 0 ]; then filter=("$@"); fi
dotnet run --project "$repo/bench/AeroSnapshot.Bench" -c Release -- "${filter[@]}" --artifacts "$artifacts"

mkdir -p "$repo/bench/results/$name"
cp "$artifacts"/results/*-report-github.md "$artifacts"/results/*-report-full.json "$repo/bench/results/$name/"
echo "results copied to bench/results/$name"

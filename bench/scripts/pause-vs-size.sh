#!/usr/bin/env bash
# The write pause against the database's size (issue 28), whole processes, for every path:
#   plain    create --lock-throughout: the lock held for the whole create (the one-call CreateSnapshot)
#   capture  create: the capture alone (a clone on XFS and btrfs, a copy on ext4)
#   precopy  demo --precopy: pre-copy, 1 MiB appended by "the database", then the capture
# for storage files of 1, 4 and 16 GiB (fully written, not sparse) on ext4, XFS (reflink=1) and
# btrfs, each on its own loop-mounted image (bench/scripts/on-loop-fs.sh). Prints one table and
# writes pause-vs-size.csv (fs, size_gib, path, run, pause_ms, total_ms) into the output directory;
# bench/scripts/plot-pause.py turns it into the chart in docs/.
#
#   bench/scripts/pause-vs-size.sh [out-dir]
#   SIZES="1 4 16" RUNS=3 FILESYSTEMS="ext4-journal xfs-reflink btrfs" AEROSNAP=<native aerosnap>
#
# Needs root, mkfs.xfs, mkfs.btrfs, and about 3x the largest size free on the root disk (the demo's
# first snapshot, the pre-copy and the pre-copied snapshot are whole copies on ext4). The source
# is warm (a running database keeps its file in the page cache); each run builds its own data
# directory and deletes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench/results/pause-vs-size}
SIZES=${SIZES:-"1 4 16"}
RUNS=${RUNS:-3}
FILESYSTEMS=${FILESYSTEMS:-"ext4-journal xfs-reflink btrfs"}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -z "${AEROSNAP:-}" ]; then
    AEROSNAP=$(mktemp -d -t aerosnap-native.XXXXXX)/aerosnap
    dotnet publish src/AeroSnapshot.Cli -c Release -r linux-x64 -o "$(dirname "$AEROSNAP")" --nologo -v quiet
fi
export AEROSNAP out SIZES RUNS

largest=0
for size in $SIZES; do [ "$size" -gt "$largest" ] && largest=$size; done
csv="$out/pause-vs-size.csv"
echo "fs,size_gib,path,run,pause_ms,total_ms" > "$csv"

for fs in $FILESYSTEMS; do
    AEROSNAP_LOOP_GIB=$((3 * largest + 4)) FS="$fs" CSV="$csv" bench/scripts/on-loop-fs.sh "$fs" bash -c '
        set -euo pipefail
        field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
        for size in $SIZES; do
            for run in $(seq 1 "$RUNS"); do
                dir="$LOOP_DIR/d"
                "$AEROSNAP" demo --dir "$dir" --size "${size}GiB" --precopy --json --quiet > "$out/$FS-$size-$run-demo.json"
                echo "$FS,$size,capture,$run,$(field "$out/$FS-$size-$run-demo.json" "d[\"snapshot\"][\"pause_ms\"]"),$(field "$out/$FS-$size-$run-demo.json" "d[\"snapshot\"][\"total_ms\"]")" >> "$CSV"
                echo "$FS,$size,precopy,$run,$(field "$out/$FS-$size-$run-demo.json" "d[\"precopy_snapshot\"][\"pause_ms\"]"),$(field "$out/$FS-$size-$run-demo.json" "d[\"precopy_snapshot\"][\"total_ms\"]")" >> "$CSV"
                rm -rf "$dir/snapshots"
                sleep 1
                "$AEROSNAP" create "$dir" --lock-throughout --json --quiet > "$out/$FS-$size-$run-plain.json"
                echo "$FS,$size,plain,$run,$(field "$out/$FS-$size-$run-plain.json" "d[\"pause_ms\"]"),$(field "$out/$FS-$size-$run-plain.json" "d[\"total_ms\"]")" >> "$CSV"
                rm -rf "$dir"
                tail -n 3 "$CSV"
            done
        done'
done

python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cases = {}
for r in rows:
    cases.setdefault((r["fs"], r["path"], int(r["size_gib"])), []).append(float(r["pause_ms"]))
sizes = sorted({k[2] for k in cases})
print("median pause (ms) over runs")
print(f"{'fs':<14}{'path':<9}" + "".join(f"{str(s) + ' GiB':>11}" for s in sizes) + f"{'16/1':>8}")
for fs, path in sorted({(k[0], k[1]) for k in cases}):
    med = {s: statistics.median(cases[(fs, path, s)]) for s in sizes if (fs, path, s) in cases}
    ratio = f"{med[sizes[-1]] / med[sizes[0]]:.2f}" if sizes[0] in med and sizes[-1] in med else ""
    print(f"{fs:<14}{path:<9}" + "".join(f"{med.get(s, float('nan')):>11.1f}" for s in sizes) + f"{ratio:>8}")
PY

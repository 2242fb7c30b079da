#!/usr/bin/env bash
# Whole-process comparison of `aerosnap create` with `cp` + `sync` and with
# `dd bs=8M oflag=direct conv=fsync` on the same storage file, cold source, alternating the order
# of the three every round so that drift on a shared disk hits them alike. Prints each run, then
# medians, MB/s and ratios, then the page-cache residency of the last snapshot copy (fincore).
#
# Usage: bench/scripts/compare-create.sh [SIZE_MIB=1024] [ROUNDS=5] [WORK_DIR=/tmp/aerosnap-compare]
# Run as root from the repository root (eviction uses fsync + POSIX_FADV_DONTNEED per file).
set -euo pipefail

size_mib=${1:-1024}
rounds=${2:-5}
work=${3:-/tmp/aerosnap-compare}
repo=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$work"
mkdir -p "$work/bin" "$work/data/metadata/schemas/users" "$work/out"
dotnet build "$repo/src/AeroSnapshot.Cli" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
cli=("dotnet" "$work/bin/aerosnap.dll")

head -c "$((size_mib << 20))" /dev/urandom > "$work/data/storage.dat"
for i in $(seq 1 10); do printf '{"schema":%d}' "$i" > "$work/data/metadata/schemas/users/user_v$i.json"; done
sync

evict() {
  python3 - "$@" <<'PY'
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
}

run_aerosnap() { "${cli[@]}" create "$work/data" --quiet >/dev/null; }
run_cp() { cp "$work/data/storage.dat" "$work/out/storage.dat" && sync; }
run_dd() { dd if="$work/data/storage.dat" of="$work/out/storage.dat" bs=8M oflag=direct conv=fsync status=none; }

declare -A times
methods=(aerosnap cp dd)
for round in $(seq 1 "$rounds"); do
  # Rotate the order each round.
  order=("${methods[@]:$((round % 3))}" "${methods[@]:0:$((round % 3))}")
  for method in "${order[@]}"; do
    rm -rf "$work/data/snapshots" "$work/out/storage.dat"
    evict "$work/data/storage.dat" "$work"/data/metadata/schemas/users/*.json
    sync
    start=$(date +%s.%N)
    "run_$method"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    times[$method]+="$t "
    printf 'round %d %-9s %7.3f s\n' "$round" "$method" "$t"
    sleep 1
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "size: $size_mib MiB, rounds: $rounds, file system: $(df -T "$work" | awk 'NR==2 {print $2}')"
ours=$(echo "${times[aerosnap]}" | median)
for method in "${methods[@]}"; do
  m=$(echo "${times[$method]}" | median)
  printf '%-9s median %7.3f s  %6.0f MB/s  ratio to aerosnap %5.2f\n' "$method" "$m" "$(echo "($size_mib * 1048576) / $m / 1000000" | bc -l)" "$(echo "$m / $ours" | bc -l)"
done

rm -rf "$work/data/snapshots"
evict "$work/data/storage.dat"
run_aerosnap
echo
echo "page cache after aerosnap create (fincore of the copy):"
fincore "$work"/data/snapshots/*/storage.dat

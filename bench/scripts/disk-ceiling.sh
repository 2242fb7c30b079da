#!/usr/bin/env bash
# What the disk under a directory can do at most for a copy of SIZE_MIB, with dd's 8 MiB blocks:
# - read_source: a cold read of the source alone (O_DIRECT, so nothing comes from the page cache);
# - write_direct: a durable write of the same bytes alone, O_DIRECT, one request in flight;
# - write_buffered: a durable write of the same bytes alone from the page cache, with conv=fsync
#   (the kernel's writeback keeps many requests in flight: the fastest way to write here);
# - both: read_source and write_buffered at once, in two processes.
# Any copy, ours or cp's, must read and write those bytes, so the fastest of these that includes
# the write is a floor on a cold copy's time on this disk. Medians of ROUNDS.
#
# Usage: bench/scripts/disk-ceiling.sh [SIZE_MIB=1024] [ROUNDS=5] [WORK_DIR=/tmp/aerosnap-ceiling]
# Run as root.
set -euo pipefail
size_mib=${1:-1024}
rounds=${2:-5}
work=${3:-/tmp/aerosnap-ceiling}
rm -rf "$work"
mkdir -p "$work"
head -c "$((size_mib << 20))" /dev/urandom > "$work/source"
sync

seconds() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
# The bytes to write come from a cached second file, so that the write cases read no disk.
head -c "$((size_mib << 20))" /dev/urandom > "$work/payload"
cat "$work/payload" > /dev/null
read_source() { dd if="$work/source" of=/dev/null bs=8M iflag=direct status=none; }
write_direct() { dd if="$work/payload" of="$work/copy" bs=8M oflag=direct conv=fsync status=none; }
write_buffered() { dd if="$work/payload" of="$work/copy" bs=8M conv=fsync status=none; }
both() { read_source & local reader=$!; write_buffered; wait "$reader"; }

declare -A times
for round in $(seq 1 "$rounds"); do
  for case in read_source write_direct write_buffered both; do
    rm -f "$work/copy"
    sync
    t=$(seconds "$case")
    times[$case]+="$t "
    printf 'round %d %-11s %7.3f s\n' "$round" "$case" "$t"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "size: $size_mib MiB, rounds: $rounds, file system: $(df -T "$work" | awk 'NR==2 {print $2}')"
for case in read_source write_direct write_buffered both; do
  m=$(echo "${times[$case]}" | median)
  printf '%-11s median %7.3f s  %6.0f MB/s\n' "$case" "$m" "$(echo "($size_mib * 1048576) / $m / 1000000" | bc -l)"
done
rm -rf "$work"

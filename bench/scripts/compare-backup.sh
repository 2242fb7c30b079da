#!/usr/bin/env bash
# Whole-process comparison of `aerosnap backup` with `tar cf` + `sync` of the same files (the newest
# snapshot and the WAL), and of `aerosnap restore-backup` with `tar xf` + `sync` of the same archive,
# cold cache (each input fsynced and dropped with POSIX_FADV_DONTNEED before each run), alternating
# the order every round so that drift on a shared disk hits both alike. Prints each run, then
# medians and ratios. aerosnap checks every byte (CRC-32 against the snapshot manifest, WAL frames)
# and fsyncs; tar checks nothing, and `sync` flushes everything dirty on the machine.
#
# Usage: bench/scripts/compare-backup.sh [SIZE_MIB=1024] [WAL_MIB=64] [ROUNDS=5] [WORK_DIR=/tmp/aerosnap-compare-backup]
# Run as root from the repository root.
set -euo pipefail

size_mib=${1:-1024}
wal_mib=${2:-64}
rounds=${3:-5}
work=${4:-/tmp/aerosnap-compare-backup}
repo=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$work"
mkdir -p "$work/bin" "$work/data/metadata/schemas/users" "$work/data/wal" "$work/out"
dotnet build "$repo/src/AeroSnapshot.Cli" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
cli=("dotnet" "$work/bin/aerosnap.dll")

head -c "$((size_mib << 20))" /dev/urandom > "$work/data/storage.dat"
for i in $(seq 1 10); do printf '{"schema":%d}' "$i" > "$work/data/metadata/schemas/users/user_v$i.json"; done
# A WAL of 4 KiB records in the frame of BACKUP-CHECKPOINT.md section 4.
python3 - "$work/data/wal/wal.log" "$wal_mib" <<'PY'
import os, struct, sys, zlib
path, mib = sys.argv[1], int(sys.argv[2])
payload = os.urandom(4096 - 17)
with open(path, "wb") as f:
    for seq in range(1, (mib << 20) // 4096 + 1):
        head = struct.pack("<IBQ", 4096, seq % 6, seq) + payload
        f.write(head + struct.pack("<I", zlib.crc32(head)))
PY
"${cli[@]}" create "$work/data" --quiet >/dev/null
id=$(ls "$work/data/snapshots")
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

sources=("$work/data/snapshots/$id/storage.dat" "$work/data/snapshots/$id/manifest.json" "$work/data/wal/wal.log" "$work/data/snapshots/$id"/schemas/users/*.json)
run_backup_aerosnap() { "${cli[@]}" backup "$work/data" --output "$work/out/a.tar" --quiet >/dev/null; }
run_backup_tar() { tar cf "$work/out/t.tar" -C "$work/data/snapshots" "$id" -C "$work/data" wal/wal.log && sync; }
run_restore_aerosnap() { "${cli[@]}" restore-backup "$work/out/a.tar" "$work/restore-a" --quiet >/dev/null; }
run_restore_tar() { tar xf "$work/out/a.tar" -C "$work/restore-t" && sync; }

declare -A times
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() {
  local name=$1 round=$2
  local start end t
  start=$(date +%s.%N)
  "run_$name"
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  times[$name]+="$t "
  printf 'round %d %-17s %7.3f s\n' "$round" "$name" "$t"
  sleep 1
}

for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order=(backup_aerosnap backup_tar); else order=(backup_tar backup_aerosnap); fi
  for method in "${order[@]}"; do
    rm -f "$work/out/a.tar" "$work/out/t.tar"
    evict "${sources[@]}"
    sync
    timed "$method" "$round"
  done

  # restore: both read the archive aerosnap just wrote.
  [[ -f "$work/out/a.tar" ]] || run_backup_aerosnap
  if (( round % 2 )); then order=(restore_aerosnap restore_tar); else order=(restore_tar restore_aerosnap); fi
  for method in "${order[@]}"; do
    rm -rf "$work/restore-a" "$work/restore-t" "$work/restore-a.restore-backup-tmp"
    mkdir -p "$work/restore-a" "$work/restore-t"
    evict "$work/out/a.tar"
    sync
    timed "$method" "$round"
  done
done

echo
echo "snapshot: $size_mib MiB storage + 10 schema files; WAL: $wal_mib MiB; rounds: $rounds; file system: $(df -T "$work" | awk 'NR==2 {print $2}')"
bytes=$(( (size_mib + wal_mib) << 20 ))
for pair in "backup_aerosnap backup_tar" "restore_aerosnap restore_tar"; do
  read -r ours theirs <<<"$pair"
  a=$(echo "${times[$ours]}" | median)
  b=$(echo "${times[$theirs]}" | median)
  printf '%-17s median %7.3f s  %6.0f MB/s\n' "$ours" "$a" "$(echo "$bytes / $a / 1000000" | bc -l)"
  printf '%-17s median %7.3f s  %6.0f MB/s   aerosnap / tar = %.2f\n' "$theirs" "$b" "$(echo "$bytes / $b / 1000000" | bc -l)" "$(echo "$a / $b" | bc -l)"
done
rm -rf "$work"

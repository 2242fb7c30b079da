#!/usr/bin/env bash
# Regenerates tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/backups/: backup archives written by
# AeroDB's own backup code (the reference harness, see ../shared/aerodb-reference), and re-packs of
# one of them by GNU tar and Python's tarfile in PAX and GNU formats. The tests read them with no
# need for the reference; the project holds only these artifacts, never the reference's code.
#
#   scripts/aerodb-fixtures/backups.sh <path to refharness>
#
# The archives carry real times (snapshot ids, created_at, mtimes), so each run writes different
# bytes; the tests depend only on what this script fixes: the layout, the contents and the counts.
set -euo pipefail
refharness=${1:?usage: backups.sh <path to refharness>}
refharness=$(realpath "$refharness")
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/backups"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A small data directory: storage.dat of a few KiB (deterministic bytes), schema files at the top
# and nested (AeroDB's manifest lists only the top-level ones), and a WAL the reference writer wrote.
make_data_dir() {
    local dir=$1
    mkdir -p "$dir/metadata/schemas/orders/v2"
    python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 251 for i in range(3000)))" > "$dir/storage.dat"
    printf '{"type":"object","title":"users"}' > "$dir/metadata/schemas/users.json"
    printf '{"type":"object","title":"orders"}' > "$dir/metadata/schemas/orders.json"
    printf '{"type":"object","title":"orders v2"}' > "$dir/metadata/schemas/orders/v2/orders.json"
}

rm -rf "$out"
mkdir -p "$out"

# 1. nested.tar: a snapshot with nested schema files, and a WAL of 3 records.
make_data_dir "$work/nested"
"$refharness" wal-write "$work/nested" 3 40 > /dev/null
"$refharness" create "$work/nested" > /dev/null
sleep 1.1 # the backup's created_at is its own clock reading, after the snapshot's
"$refharness" backup "$work/nested" "$out/nested.tar" > /dev/null

# 2. checkpointed.tar: AeroDB's checkpoint (its snapshot, then the WAL reset), then 2 more records.
make_data_dir "$work/checkpointed"
"$refharness" wal-write "$work/checkpointed" 3 40 > /dev/null
"$refharness" checkpoint "$work/checkpointed" > /dev/null
"$refharness" wal-write "$work/checkpointed" 2 40 > /dev/null
"$refharness" backup "$work/checkpointed" "$out/checkpointed.tar" > /dev/null

# 3. empty-wal.tar: a checkpoint right before the backup: wal/wal.log is in the archive, empty.
make_data_dir "$work/empty-wal"
"$refharness" wal-write "$work/empty-wal" 1 40 > /dev/null
"$refharness" checkpoint "$work/empty-wal" > /dev/null
"$refharness" backup "$work/empty-wal" "$out/empty-wal.tar" > /dev/null

# 4. mvcc.tar: an MVCC snapshot (manifest format_version 2 with a commit_boundary).
make_data_dir "$work/mvcc"
"$refharness" wal-write "$work/mvcc" 1 40 > /dev/null
"$refharness" create-mvcc "$work/mvcc" 42 > /dev/null
"$refharness" backup "$work/mvcc" "$out/mvcc.tar" > /dev/null

# 5. long-names.tar: schema paths past ustar's 100-byte name field (the tar crate writes GNU long
#    names), and one name of 200 bytes.
make_data_dir "$work/long-names"
long_dir="$work/long-names/metadata/schemas/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..60})"
mkdir -p "$long_dir"
printf '{"deep":true}' > "$long_dir/$(printf 'f%.0s' {1..90}).json"
printf '{"wide":true}' > "$work/long-names/metadata/schemas/$(printf 'w%.0s' {1..195}).json"
"$refharness" wal-write "$work/long-names" 2 40 > /dev/null
"$refharness" create "$work/long-names" > /dev/null
"$refharness" backup "$work/long-names" "$out/long-names.tar" > /dev/null

# 6. Re-packs of long-names.tar by standard tools, from its extracted tree.
mkdir "$work/unpacked"
tar -xf "$out/long-names.tar" -C "$work/unpacked"
# GNU tar: directory order as the file system lists it, directories named with '/', 10 KiB records.
tar --format=pax -cf "$out/gnutar-pax.tar" -C "$work/unpacked" wal backup_manifest.json snapshot
tar --format=gnu -cf "$out/gnutar-gnu.tar" -C "$work/unpacked" snapshot wal backup_manifest.json
# Python's tarfile: members in the reverse of AeroDB's order (manifest files after their data).
python3 - "$out/long-names.tar" "$out" <<'PY'
import sys, tarfile
source, out = sys.argv[1], sys.argv[2]
with tarfile.open(source) as archive:
    members = [(m, archive.extractfile(m).read() if m.isfile() else None) for m in archive.getmembers()]
for name, fmt in (("python-pax.tar", tarfile.PAX_FORMAT), ("python-gnu.tar", tarfile.GNU_FORMAT)):
    with tarfile.open(f"{out}/{name}", "w", format=fmt) as packed:
        for member, data in reversed(members):
            member.uname, member.gname, member.uid, member.gid = "aerodb", "aerodb", 1000, 1000
            packed.addfile(member, None if data is None else __import__("io").BytesIO(data))
PY

( cd "$out" && ls -l *.tar && for f in *.tar; do echo "== $f"; tar -tvf "$f" | head -3; done ) >&2

#!/usr/bin/env bash
# Regenerates the snapshot and checkpoint fixtures of tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/
# from AeroDB's own code (the reference harness): each data directory is built here, the reference
# writes the snapshot or checkpoint, and the result is stored as a small deterministic GNU tar
# (names sorted, mtime 0, owner 0) so that a name that is not UTF-8 survives git and the build.
# The tests unpack them with tar; they never need the harness.
#
#   snapshots/nested.tar      one snapshot dir: schemas at the top (listed) and two levels down (unlisted)
#   snapshots/mvcc.tar        create-mvcc: format_version 2, commit_boundary u64::MAX
#   snapshots/not-utf8.tar    a top-level schema file whose name is not UTF-8 (copied, not listed) and a nested one
#   checkpoint/checkpoint.json   the marker AeroDB's checkpoint wrote
#   checkpoint/data-dir.tar   a whole data directory: snapshot A, 5 WAL records, a nested schema added,
#                             checkpoint (snapshot B, marker, WAL reset), 3 WAL records after it
#
#   scripts/aerodb-fixtures/snapshots.sh /work/refharness-target/release/refharness
set -euo pipefail

ref=$(realpath "${1:?usage: snapshots.sh <refharness>}")
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/snapshots" "$out/checkpoint"

pack() { # <tar> <directory> <entry>: a deterministic archive of <directory>/<entry>
    tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$2" -cf "$1" "$3"
}

data_dir() { # <dir>: 3,000 deterministic bytes of storage and one top-level schema
    mkdir -p "$1/metadata/schemas"
    python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 251 for i in range(3000)))' >"$1/storage.dat"
    printf '{"name":"user","version":1}' >"$1/metadata/schemas/user_v1.json"
}

schema() { # <data-dir> <relative path> <content>
    mkdir -p "$(dirname "$1/metadata/schemas/$2")"
    printf '%s' "$3" >"$1/metadata/schemas/$2"
}

d="$work/nested"
data_dir "$d"
schema "$d" orders_v1.json '{"name":"order","version":1}'
schema "$d" app/items.json '{"name":"item"}'
schema "$d" app/orders/v2.json '{"name":"order","version":2}'
id=$("$ref" create "$d")
pack "$out/snapshots/nested.tar" "$d/snapshots" "$id"

d="$work/mvcc"
data_dir "$d"
schema "$d" app/items.json '{"name":"item"}'
id=$("$ref" create-mvcc "$d" 18446744073709551615 | tail -n 1)
pack "$out/snapshots/mvcc.tar" "$d/snapshots" "$id"

d="$work/not-utf8"
data_dir "$d"
printf '{"odd":true}' >"$d/metadata/schemas/$(printf 'bad-\377\376.json')"
schema "$d" app/items.json '{"name":"item"}'
id=$("$ref" create "$d")
pack "$out/snapshots/not-utf8.tar" "$d/snapshots" "$id"

d="$work/data"
data_dir "$d"
"$ref" create "$d" >/dev/null
"$ref" wal-write "$d" 5 32 >/dev/null
schema "$d" app/items.json '{"name":"item"}'
sleep 1.1 # a second snapshot id
"$ref" checkpoint "$d" >/dev/null
"$ref" wal-write "$d" 3 32 >/dev/null
cp "$d/checkpoint.json" "$out/checkpoint/checkpoint.json"
pack "$out/checkpoint/data-dir.tar" "$work" data

ls -l "$out/snapshots" "$out/checkpoint"

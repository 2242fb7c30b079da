#!/usr/bin/env bash
# Regenerates tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/wal/: the WALs our generator writes
# (walgen.py: valid ones and each way of breaking one), WALs AeroDB's own writer wrote (ref-*.wal,
# through the reference harness), and verdicts.txt, AeroDB's own reader's verdict on every one of
# them (refharness wal-read: WalReader::read_all). The tests judge our validator against that file;
# they never need the harness. Run it from anywhere:
#
#   scripts/aerodb-fixtures/wal.sh /work/refharness-target/release/refharness
set -euo pipefail

ref=$(realpath "${1:?usage: wal.sh <refharness>}")
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/wal"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$out"
rm -f "$out"/ref-*.wal "$out"/verdicts.txt
python3 "$root/scripts/aerodb-fixtures/walgen.py" "$out"

# What AeroDB's writer produces: WalWriter (insert/update/delete), and single records of any type
# and sequence, the MVCC ones included (their payloads are not the five fields the reader parses).
"$ref" wal-write "$work/w1" 5 24 >/dev/null
cp "$work/w1/wal/wal.log" "$out/ref-write-5-records.wal"
"$ref" wal-write "$work/w2" 7 0 >/dev/null
cp "$work/w2/wal/wal.log" "$out/ref-write-7-records-empty-bodies.wal"
"$ref" wal-write "$work/w3" 30 200 >/dev/null
cp "$work/w3/wal/wal.log" "$out/ref-write-30-records.wal"
"$ref" wal-append-record "$out/ref-record-types-3-4-5.wal" 3 1 doc-1 '{"a":1}' >/dev/null
"$ref" wal-append-record "$out/ref-record-types-3-4-5.wal" 4 2 doc-2 '{"b":2}' >/dev/null
"$ref" wal-append-record "$out/ref-record-types-3-4-5.wal" 5 3 doc-3 '' >/dev/null
"$ref" wal-append-record "$out/ref-record-sequence-gap.wal" 0 1 doc-1 x >/dev/null
"$ref" wal-append-record "$out/ref-record-sequence-gap.wal" 1 3 doc-1 y >/dev/null
"$ref" wal-append-record "$out/ref-record-first-sequence-5.wal" 0 5 doc-5 z >/dev/null
"$ref" wal-append-record "$out/ref-record-unicode.wal" 0 1 'dôc-日本-😀' '{"é":"ß"}' >/dev/null
"$ref" wal-append-mvcc-commit "$out/ref-mvcc-commit-alone.wal" 1 42 >/dev/null
"$ref" wal-append-mvcc-commit "$out/ref-mvcc-commit-then-record.wal" 1 42 >/dev/null
"$ref" wal-append-record "$out/ref-mvcc-commit-then-record.wal" 0 2 doc-2 body >/dev/null
"$ref" wal-append-record "$out/ref-record-then-mvcc-commit.wal" 0 1 doc-1 body >/dev/null
"$ref" wal-append-mvcc-commit "$out/ref-record-then-mvcc-commit.wal" 2 42 >/dev/null
"$ref" wal-append-mvcc-version "$out/ref-mvcc-version.wal" 1 7 users:1 document >/dev/null
"$ref" wal-append-mvcc-version "$out/ref-mvcc-version-commit-0.wal" 1 0 users:1 document >/dev/null
"$ref" wal-append-mvcc-version "$out/ref-mvcc-version-then-record.wal" 1 0 k '' >/dev/null
"$ref" wal-append-record "$out/ref-mvcc-version-then-record.wal" 0 2 doc-2 body >/dev/null

# The verdicts: one line per file, "<name><TAB><what wal-read printed>" (exit 0: OK records=...;
# exit 1: ERROR ... (after N good records, offset X)).
count=0
for f in "$out"/*.wal; do
    name=$(basename "$f")
    set +e
    line=$("$ref" wal-read "$f" 2>&1)
    rc=$?
    set -e
    if [[ $rc -ne 0 && $rc -ne 1 ]]; then
        echo "wal-read exited $rc on $name: $line" >&2
        exit 1
    fi
    printf '%s\t%s\n' "$name" "$line" >>"$out/verdicts.txt"
    count=$((count + 1))
done
echo "$count verdicts in $out/verdicts.txt ($(grep -c $'\tOK ' "$out/verdicts.txt") accepted)"

#!/usr/bin/env bash
# AeroDB and aerosnap on the same data directories, both ways (issue 24): what aerosnap writes is
# run through AeroDB's own code (its WAL reader, manifest and marker readers, restore from a backup,
# snapshot and backup), and what AeroDB writes is run through aerosnap. The AeroDB side is the
# reference harness built from ../shared/aerodb-reference (AeroDB's snapshot, checkpoint, backup,
# restore and WAL modules, unchanged, behind one command); it is a tool beside the project, never
# part of it, and nothing in the project needs it to build or test.
#
#   scripts/aerodb-interop.sh <refharness> [aerosnap]
#
# aerosnap defaults to the Release build of src/AeroSnapshot.Cli run with `dotnet` (built first).
# Prints one line per check (PASS/FAIL, what was run and what came back) and a summary; exits 1 if
# any check failed. docs/RELIABILITY.md keeps one run's output.
set -uo pipefail
cd "$(dirname "$0")/.."
ref=${1:?usage: scripts/aerodb-interop.sh <refharness> [aerosnap]}
if [ -n "${2:-}" ]; then
    snap=("$2")
else
    dotnet build src/AeroSnapshot.Cli -c Release --nologo -v quiet >/dev/null || exit 2
    snap=(dotnet "$PWD/src/AeroSnapshot.Cli/bin/Release/net10.0/aerosnap.dll")
fi
work=$(mktemp -d -t aerodb-interop.XXXXXX)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0

# check <description> <expected exit> <command...>: runs it, compares the exit code.
check() {
    local what=$1 want=$2
    shift 2
    local output code
    output=$("$@" 2>&1)
    code=$?
    if [ "$code" -eq "$want" ]; then
        passed=$((passed + 1))
        printf 'PASS  %s\n' "$what"
    else
        failed=$((failed + 1))
        printf 'FAIL  %s (exit %s, expected %s)\n%s\n' "$what" "$code" "$want" "$(printf '%s' "$output" | tail -n 5 | sed 's/^/      /')"
    fi
}

# same <description> <file> <file>: byte-identical.
same() {
    if cmp -s "$2" "$3"; then passed=$((passed + 1)); printf 'PASS  %s\n' "$1"; else failed=$((failed + 1)); printf 'FAIL  %s (%s differs from %s)\n' "$1" "$2" "$3"; fi
}

aerosnap() { "${snap[@]}" "$@"; }
newest() { ls "$1/snapshots" | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort | tail -n 1; }
storage_of() { if [ -f "$1/storage.dat" ]; then echo "$1/storage.dat"; else echo "$1/data/storage.dat"; fi; }
next_second() { sleep 1.1; }

echo "== aerosnap's artifacts through AeroDB's code"
a="$work/ours"
aerosnap demo --dir "$a" --size 4MiB --quiet
s=$(newest "$a")
check "AeroDB's WAL reader reads the demo's WAL" 0 "$ref" wal-read "$a/wal/wal.log"
check "AeroDB reads our snapshot manifest" 0 "$ref" manifest-read "$a/snapshots/$s/manifest.json"
"$ref" manifest-json "$a/snapshots/$s/manifest.json" > "$work/reference-manifest.json"
# AeroDB keeps the schema checksums in a HashMap, so the order of its keys changes from run to run
# (four runs, four different files): compare the documents, not the bytes.
check "AeroDB writes our manifest back with exactly our fields and values" 0 python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$a/snapshots/$s/manifest.json" "$work/reference-manifest.json"
check "AeroDB's checksums (storage and every listed schema) match our snapshot" 0 "$ref" verify "$a/snapshots/$s"
next_second
check "aerosnap checkpoint of the demo directory" 0 aerosnap checkpoint "$a" --quiet
check "AeroDB reads our checkpoint.json" 0 "$ref" marker-read "$a/checkpoint.json"
check "AeroDB's WAL reader reads the WAL our checkpoint reset" 0 "$ref" wal-read "$a/wal/wal.log"
"$ref" wal-write "$a" 5 64 >/dev/null
check "aerosnap backup of the checkpointed directory, with AeroDB's records appended" 0 aerosnap backup "$a" --output "$work/ours.tar" --quiet
mkdir -p "$work/restored-by-aerodb"
check "AeroDB restores our backup" 0 "$ref" restore-backup "$work/ours.tar" "$work/restored-by-aerodb"
same "the storage file AeroDB restored is the snapshot's" "$a/snapshots/$(newest "$a")/storage.dat" "$(storage_of "$work/restored-by-aerodb")"
same "the WAL AeroDB restored is ours" "$a/wal/wal.log" "$work/restored-by-aerodb/wal/wal.log"
check "AeroDB's WAL reader reads the WAL it restored from our backup" 0 "$ref" wal-read "$work/restored-by-aerodb/wal/wal.log"
mkdir -p "$work/restored-by-us"
check "aerosnap restore of our snapshot into an empty data directory" 0 aerosnap restore "$a/snapshots/$(newest "$a")" "$work/restored-by-us" --quiet
check "AeroDB takes a snapshot of a directory aerosnap restored" 0 "$ref" create "$work/restored-by-us"
next_second
check "AeroDB backs up a directory aerosnap restored" 0 "$ref" backup "$work/restored-by-us" "$work/aerodb-of-ours.tar"
mkdir -p "$work/locked"
touch "$work/locked/.lock"
check "aerosnap restore-backup refuses while AeroDB's .lock exists (exit 11, in use; as AeroDB's restore does)" 11 aerosnap restore-backup "$work/ours.tar" "$work/locked" --quiet
check "AeroDB's restore refuses while its .lock exists" 1 "$ref" restore-backup "$work/ours.tar" "$work/locked"

echo "== AeroDB's artifacts through aerosnap"
r="$work/theirs"
mkdir -p "$r/metadata/schemas/nested/deeper"
head -c 300000 /dev/urandom > "$r/storage.dat"
echo '{"a":1}' > "$r/metadata/schemas/top.json"
echo '{"b":2}' > "$r/metadata/schemas/nested/deeper/inner.json"
"$ref" wal-write "$r" 7 100 >/dev/null
check "AeroDB takes a snapshot (nested schemas it does not list)" 0 "$ref" create "$r"
t=$(newest "$r")
check "aerosnap verifies AeroDB's snapshot (its nested files unlisted, not corrupt)" 0 aerosnap verify "$r/snapshots/$t" --quiet
check "aerosnap discovery picks AeroDB's snapshot" 0 aerosnap newest "$r" --quiet
next_second
check "AeroDB's checkpoint" 0 "$ref" checkpoint "$r"
"$ref" wal-write "$r" 3 80 >/dev/null
check "aerosnap backup after AeroDB's checkpoint packs the snapshot the WAL continues" 0 aerosnap backup "$r" --output "$work/theirs-by-us.tar" --quiet
check "aerosnap verify-backup of that archive" 0 aerosnap verify-backup "$work/theirs-by-us.tar" --quiet
next_second
check "AeroDB's backup" 0 "$ref" backup "$r" "$work/theirs.tar"
check "aerosnap verify-backup reads AeroDB's archive" 0 aerosnap verify-backup "$work/theirs.tar" --quiet
mkdir -p "$work/theirs-restored-by-us" "$work/theirs-restored-by-aerodb"
check "aerosnap restore-backup of AeroDB's archive" 0 aerosnap restore-backup "$work/theirs.tar" "$work/theirs-restored-by-us" --quiet
check "AeroDB's restore of its own archive" 0 "$ref" restore-backup "$work/theirs.tar" "$work/theirs-restored-by-aerodb"
same "both restores give the same storage file" "$(storage_of "$work/theirs-restored-by-us")" "$(storage_of "$work/theirs-restored-by-aerodb")"
same "both restores give the same WAL" "$work/theirs-restored-by-us/wal/wal.log" "$work/theirs-restored-by-aerodb/wal/wal.log"
check "AeroDB's WAL reader reads the WAL aerosnap restored" 0 "$ref" wal-read "$work/theirs-restored-by-us/wal/wal.log"
d="$work/theirs-restored-by-aerodb"
next_second
check "aerosnap snapshots a directory AeroDB restored (storage under data/)" 0 aerosnap create "$d" --quiet
check "aerosnap backs it up" 0 aerosnap backup "$d" --output "$work/aerodb-restored.tar" --quiet
mkdir -p "$work/round-trip"
check "aerosnap restores that backup" 0 aerosnap restore-backup "$work/aerodb-restored.tar" "$work/round-trip" --quiet
next_second
check "AeroDB's MVCC snapshot (format 2, commit_boundary)" 0 "$ref" create-mvcc "$r" 42
check "aerosnap verifies AeroDB's MVCC snapshot" 0 aerosnap verify "$r/snapshots/$(newest "$r")" --quiet

echo "== WAL verdicts: AeroDB's reader and aerosnap's checkpoint, on every fixture WAL"
agree=0
disagree=0
while IFS=$'\t' read -r name verdict; do
    w="$work/wal-$name"
    mkdir -p "$w/wal" "$w/metadata/schemas"
    cp "tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/wal/$name" "$w/wal/wal.log"
    head -c 4096 /dev/zero > "$w/storage.dat"
    ref_code=0; "$ref" wal-read "$w/wal/wal.log" >/dev/null 2>&1 || ref_code=$?
    our_code=0; aerosnap checkpoint "$w" --quiet >/dev/null 2>&1 || our_code=$?
    # The reference accepts (0) or refuses (1), as the committed verdict says; aerosnap's checkpoint
    # succeeds (0) or refuses the WAL (1, AERO_WAL_CORRUPTION).
    recorded=1; [[ "$verdict" == OK* ]] && recorded=0
    if [ "$ref_code" -eq "$recorded" ] && [ "$our_code" -eq "$ref_code" ]; then
        agree=$((agree + 1))
    else
        disagree=$((disagree + 1))
        echo "FAIL  $name: AeroDB exit $ref_code (committed: $verdict), aerosnap checkpoint exit $our_code"
    fi
    rm -rf "$w"
done < tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/wal/verdicts.txt
if [ "$disagree" -eq 0 ]; then passed=$((passed + 1)); echo "PASS  the same verdict on all $agree WALs"; else failed=$((failed + 1)); fi

echo "== $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Applies each of issue #17's four durability mutants by hand to a throw-away copy of the
# repository and runs the tests written to kill them; prints KILLED or SURVIVED for each.
# Usage: scripts/hand-mutants.sh [work-dir]   (needs root: the tests attach strace)
#        ONLY=name1,name2 scripts/hand-mutants.sh   to apply some of them
# The copy is of the last commit (git archive HEAD), so commit what you want tested first.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/aerosnap-mutants-XXXXXX)}
creator=src/AeroSnapshot.Fast/Creation/SnapshotCreator.cs
filter="FullyQualifiedName~DurableSequenceTests|FullyQualifiedName~NoReplacePublishTests"

# name | perl substitution applied to SnapshotCreator.cs
mutants=(
  'skip-fsync-of-snapshots-after-publish|s/(Enter\(SnapshotStep\.SyncParent\);\s*)NativeFile\.SyncDirectory\(snapshotsDirectory\);/$1/s'
  'skip-fdatasync-of-storage-copy|s/(Enter\(SnapshotStep\.SyncStorage\);\s*)NativeFile\.Sync\(destination, destinationPath, dataOnly: !_options\.SyncFilesWithFsync\);/$1/s'
  'renameat2-flags-0|s/(Sys\.RenameAt2\(Sys\.AtFdCwd, staging, Sys\.AtFdCwd, finalDirectory, )Sys\.RenameNoReplace\)/${1}0)/'
  'skip-fsync-of-staging|s/(Enter\(SnapshotStep\.SyncStaging\);\s*)NativeFile\.SyncDirectory\(staging\);/$1/s'
)

for entry in "${mutants[@]}"; do
  name=${entry%%|*}
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
  expr=${entry#*|}
  copy="$work/$name"
  rm -rf "$copy"
  mkdir -p "$copy"
  git -C "$repo" archive HEAD | tar -x -C "$copy"   # the last commit, not the working tree
  perl -0pi -e "$expr" "$copy/$creator"
  if diff -q "$repo/$creator" "$copy/$creator" >/dev/null; then
    echo "$name: NOT APPLIED (the pattern no longer matches the source)"
    continue
  fi
  diff -u "$repo/$creator" "$copy/$creator" | sed -n '3,$p' | grep '^[-+]' | sed "s/^/  $name: /"
  if ! dotnet build "$copy/tests/AeroSnapshot.Fast.Tests" -c Debug -v q --nologo -m:1 > "$copy.build.log" 2>&1; then
    echo "$name: BUILD FAILED (see $copy.build.log)"
    continue
  fi
  dotnet test "$copy/tests/AeroSnapshot.Fast.Tests" --no-build --filter "$filter" > "$copy.test.log" 2>&1
  summary=$(grep -E "^(Passed|Failed)!" "$copy.test.log")
  if grep -q "^Failed!" "$copy.test.log"; then
    echo "$name: KILLED  $summary"
    grep -E "^\s+Failed AeroSnapshot" "$copy.test.log" | sed "s/^/    /"
  else
    echo "$name: SURVIVED  $summary"
  fi
  rm -rf "$copy"
done

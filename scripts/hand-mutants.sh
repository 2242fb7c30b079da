#!/usr/bin/env bash
# Applies each of issue #17's four durability mutants (and one each of prune and restore) by hand to a throw-away copy of the
# repository and runs the tests written to kill them; prints KILLED or SURVIVED for each.
# Usage: scripts/hand-mutants.sh [work-dir]   (needs root: the tests attach strace)
#        ONLY=name1,name2 scripts/hand-mutants.sh   to apply some of them
# The copy is of the last commit (git archive HEAD), so commit what you want tested first.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/aerosnap-mutants-XXXXXX)}
filter="FullyQualifiedName~DurableSequenceTests|FullyQualifiedName~NoReplacePublishTests|FullyQualifiedName~RestoreSwapDurabilityTests|FullyQualifiedName~RestoreRollbackDurabilityTests"

c=src/AeroSnapshot.Fast/Creation/SnapshotCreator.cs
p=src/AeroSnapshot.Fast/Pruning/SnapshotPruner.cs
sc=src/AeroSnapshot.Fast/Creation/StorageCopy.cs
n=src/AeroSnapshot.Fast/IO/AtomicRename.cs
r=src/AeroSnapshot.Fast/Restoring/SnapshotRestorer.cs
i=src/AeroSnapshot.Fast/Restoring/RestoreIntent.cs
# name | file | perl substitution applied to it. The first four are issue #17's survivors; the
# last two check that the prune and restore rules can fail too.
mutants=(
  "skip-fsync-of-snapshots-after-publish|$c|"'s/(Enter\(SnapshotStep\.SyncParent\);\s*)NativeFile\.SyncDirectory\(snapshotsDirectory\);/$1/s'
  "skip-fdatasync-of-storage-copy|$sc|"'s/(Enter\(SnapshotStep\.SyncStorage\);\s*)NativeFile\.Sync\(destination, destinationPath, dataOnly: !options\.SyncFilesWithFsync\);/$1/s'
  # Since issue #12 every no-replace rename (publish, prune, backup, intent marker) is this one call.
  "renameat2-flags-0|$n|"'s/(Sys\.RenameAt2\(Sys\.AtFdCwd, from, Sys\.AtFdCwd, to, )Sys\.RenameNoReplace\)/${1}0)/'
  "skip-fsync-of-staging|$c|"'s/(Enter\(SnapshotStep\.SyncStaging\);\s*)NativeFile\.SyncDirectory\(staging\);/$1/s'
  "prune-skip-fsync-after-rename-aside|$p|"'s/(Enter\(step = SnapshotStep\.PruneSyncRename\);\s*)NativeFile\.SyncDirectory\(snapshotsDirectory\);/$1/s'
  # Survives since restore always swaps into an existing directory: the intent marker's write
  # fsyncs the new directory again before anything depends on its entries (an equivalent mutant).
  "restore-skip-fsync-of-new-directory|$r|"'s/NativeFile\.SyncDirectory\(sibling\);(\s*NativeFile\.SyncDirectory\(_target\.Parent\);)/$1/s'
  # Found by the Stryker run (docs/RELIABILITY.md); killed by RestoreSwapDurabilityTests.
  "restore-skip-fsync-of-parent-before-moves|$r|"'s/(NativeFile\.SyncDirectory\(sibling\);\s*)NativeFile\.SyncDirectory\(_target\.Parent\);/$1/s'
  "restore-skip-fsync-of-parent-after-exchange|$r|"'s/(Enter\(SnapshotStep\.RestoreSyncSwap\);\s*)NativeFile\.SyncDirectory\(_target\.Parent\);/$1/s'
  "restore-skip-fdatasync-of-intent-marker|$i|"'s/NativeFile\.Sync\(handle, temporary, dataOnly: true\);//'
  "restore-skip-fsync-after-intent-rename|$i|"'s/(a restore intent is already there"\);\s*\}\s*)directory\.Sync\(\);/$1/s'
  "restore-metadata-directory-not-synced|src/AeroSnapshot.Fast/Restoring/RestoreCopier.cs|"'s/CreatedDirectories\.Add\("metadata"\);//'
  # Killed by RestoreRollbackDurabilityTests.
  "rollback-skip-fsync-of-target-after-moving-back|src/AeroSnapshot.Fast/Restoring/RestoreRecovery.cs|"'s/(MoveAll\(from, to, intent\.TopLevel\);\s*from\.Sync\(\);\s*)to\.Sync\(\);/$1/s'
  "rollback-metadata-entries-not-moved-back|src/AeroSnapshot.Fast/Restoring/RestoreRecovery.cs|"'s/if \(intent\.InMetadata\.Count > 0\)/if (!(intent.InMetadata.Count > 0))/'
)

for entry in "${mutants[@]}"; do
  name=${entry%%|*}
  rest=${entry#*|}
  file=${rest%%|*}
  expr=${rest#*|}
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
  copy="$work/$name"
  rm -rf "$copy"
  mkdir -p "$copy"
  git -C "$repo" archive HEAD | tar -x -C "$copy"   # the last commit, not the working tree
  perl -0pi -e "$expr" "$copy/$file"
  if diff -q "$repo/$file" "$copy/$file" >/dev/null; then
    echo "$name: NOT APPLIED (the pattern no longer matches the source)"
    continue
  fi
  diff -u "$repo/$file" "$copy/$file" | sed -n '3,$p' | grep '^[-+]' | sed "s/^/  $name: /"
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

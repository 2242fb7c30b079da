#!/usr/bin/env bash
# Mutation testing of the library with Stryker.NET (issue #17), one source folder at a time, each
# with the tests that exercise it. Not run in CI: on these two cores a folder takes 9 min
# (ManifestFormat) to over an hour (IO, whose survivors each rerun the fault sweeps); see
# docs/RELIABILITY.md, "Mutation score". Needs root for the strace-based and privileged tests
# (else they skip and their mutants survive).
#
#   scripts/mutation.sh Creation                      # one folder: Creation, Copying, IO, Restoring, ManifestFormat
#   scripts/mutation.sh Creation '**/SnapshotCreator.cs'   # narrower: mutate globs inside it
#   scripts/mutation.sh IO '**/IO/DurableFile.cs' '**/IO/DirectoryTree.cs'   # (several allowed)
#   scripts/mutation.sh all                           # every folder above, one after another
#
# Caution: the mutants run as root, and some of them change code that deletes directory trees. On
# 2026-11-30 a mutant that let the directory listing return ".." made a recursive delete climb out
# of a test's tree and empty /tmp (the runs in progress were spoiled and measured again). Entry
# operations now refuse "." and ".." themselves as well (IO/DirectoryHandle.ThrowIfNotAChild), so
# no single mutant can do that; still, run this on a machine whose /tmp you can lose.
#
# Environment: STRYKER_VERSION (default 5.1.0), STRYKER_CONCURRENCY (default 1),
# AEROSNAP_MUTATION_OUT (default /tmp/aerosnap-mutation): reports land in OUT/<folder>/reports/
# (mutation-report.json, .html, .md); the score is printed at the end of each run.
# Each mutant runs only the tests that cover it (coverage analysis perTest, set in a generated
# stryker-config.json), and Stryker runs under nice -n 10 so the shared machine stays usable.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
version=${STRYKER_VERSION:-5.1.0}
tools=${AEROSNAP_STRYKER_TOOLS:-/tmp/aerosnap-stryker-$version}
out=${AEROSNAP_MUTATION_OUT:-/tmp/aerosnap-mutation}
concurrency=${STRYKER_CONCURRENCY:-1}

if [ ! -x "$tools/dotnet-stryker" ]; then
  dotnet tool install dotnet-stryker --version "$version" --tool-path "$tools"
fi

# The tests that exercise each folder. Loop-mount suites (power cuts, reflink, odd trees on
# tmpfs) are left out: minutes per mutant. The strace ones stay: they are the ones that kill
# the durability mutants (DurableSequenceTests attaches strace to the test's own thread, so it
# runs the mutated assembly Stryker loaded). IO takes the restore tests too: the exchange rename
# and the mode copies in IO/ are reached only by a restore.
filter_for() {
  local slow='FullyQualifiedName!~PowerCut&FullyQualifiedName!~ReflinkTests&FullyQualifiedName!~OddTreeTests&FullyQualifiedName!~ColdAllocation&FullyQualifiedName!~Fuzz'
  case "$1" in
    Creation)  echo "(FullyQualifiedName~.Tests.Creation.|FullyQualifiedName~.Tests.Diagnostics.|FullyQualifiedName~DurableSequenceTests|FullyQualifiedName~DescriptorLeakTests|FullyQualifiedName~SyscallFaultTests|FullyQualifiedName~LeftoverRemovalDurability)&$slow" ;;
    Copying)   echo "(FullyQualifiedName~.Tests.Copying.|FullyQualifiedName~.Tests.Creation.|FullyQualifiedName~RestoreTests|FullyQualifiedName~DurableSequenceTests|FullyQualifiedName~StorageWritebackWindowTests|FullyQualifiedName~DescriptorLeakTests|FullyQualifiedName~SyscallFaultTests|FullyQualifiedName~LeftoverRemovalDurability|FullyQualifiedName~KernelFeatureFallbackTests)&$slow" ;;
    IO)        echo "(FullyQualifiedName~.Tests.Creation.|FullyQualifiedName~.Tests.IO.|FullyQualifiedName~.Tests.Verification.|FullyQualifiedName~.Tests.Discovery.|FullyQualifiedName~.Tests.Pruning.|FullyQualifiedName~.Tests.Checkpoint.|FullyQualifiedName~.Tests.Restoring.|FullyQualifiedName~DurableSequence|FullyQualifiedName~RestoreSwapDurability|FullyQualifiedName~DataDirectoryLockTests|FullyQualifiedName~StorageWritebackWindowTests|FullyQualifiedName~DescriptorLeakTests|FullyQualifiedName~SyscallFaultTests|FullyQualifiedName~LeftoverRemovalDurability|FullyQualifiedName~KernelFeatureFallbackTests)&$slow" ;;
    Restoring) echo "(FullyQualifiedName~Restore|FullyQualifiedName~.Tests.Diagnostics.|FullyQualifiedName~ReferenceSnapshotTests|FullyQualifiedName~DurableSequenceTests|FullyQualifiedName~DescriptorLeakTests|FullyQualifiedName~SyscallFaultTests|FullyQualifiedName~LeftoverRemovalDurability|FullyQualifiedName~KernelFeatureFallbackTests)&$slow" ;;
    ManifestFormat) echo "(FullyQualifiedName~.Tests.ManifestFormat.|FullyQualifiedName~ChecksumMapTests|FullyQualifiedName~SchemaPathTests|FullyQualifiedName~CheckpointMarkerTests)&$slow" ;;
    *) echo "unknown folder $1 (Creation, Copying, IO, Restoring, ManifestFormat)" >&2; exit 2 ;;
  esac
}

# Stryker builds and rewrites the test project's bin/ folder; run it on a copy of the last commit
# (one per run, so two folders can run side by side) so the working tree stays usable and the
# report says which commit it measured.
run_one() {
  local folder=$1
  shift
  # Space-separated globs; by default one per file of the folder. A folder glob such as
  # `**/IO/**/*.cs` made Stryker 5.1.0 mutate the whole library (5,216 mutants), so the files are
  # named one by one.
  local mutate="${*:-$(cd "$repo/src/AeroSnapshot.Fast" && git ls-files "$folder" | grep '\.cs$' | sed 's|^|**/AeroSnapshot.Fast/|' | tr '\n' ' ' | sed 's/ $//')}"
  local dir="$out/$folder"
  # The copy's path must not hold the folder's name: Stryker matches the mutate glob against
  # the full path, so a copy under OUT/Restoring/ made every file of the library match.
  mkdir -p "$dir"
  local copy
  copy=$(mktemp -d "$out/tree.XXXXXX")
  git -C "$repo" archive HEAD | tar -x -C "$copy"
  echo "== measuring $(git -C "$repo" rev-parse --short HEAD) in $copy"
  # The options go in a config file (the filter's quoting stays out of the command line).
  # perTest: each mutant runs only the tests that reached it in the coverage run.
  local filter
  filter=$(filter_for "$folder")
  MUTATE="$mutate" FILTER="$filter" CONCURRENCY="$concurrency" python3 -c '
import json, os
print(json.dumps({"stryker-config": {
    "project": "AeroSnapshot.Fast.csproj",
    "mutate": os.environ["MUTATE"].split(" "),
    "test-case-filter": os.environ["FILTER"],
    "coverage-analysis": "perTest",
    "concurrency": int(os.environ["CONCURRENCY"]),
    "reporters": ["Progress", "Dots", "Json", "Html", "Markdown", "ClearText"],
}}, indent=2))' > "$copy/tests/AeroSnapshot.Fast.Tests/stryker-config.json"
  echo "== $folder: mutating $mutate; tests: $filter"
  local start=$SECONDS
  (cd "$copy/tests/AeroSnapshot.Fast.Tests" && \
    nice -n 10 "$tools/dotnet-stryker" --output "$dir" --skip-version-check) 2>&1 | tee "$dir/stryker.log"
  echo "== $folder: $((SECONDS - start)) s"
  rm -rf "$copy"
}

if [ "${1:-}" = all ]; then
  for folder in Creation Copying IO Restoring ManifestFormat; do run_one "$folder"; done
else
  run_one "${1:?folder: Creation, Copying, IO, Restoring, ManifestFormat or all}" "${@:2}"
fi

#!/usr/bin/env bash
# The throughput-regression gate: measures a base commit and the working tree side by side in one
# session and fails on a significant slowdown. Run from anywhere inside the repository:
#
#   bench/scripts/regress.sh <base-ref> [--io] [--filter GLOB] [--threshold PCT] [--launches N]
#                            [--iterations N] [--name NAME]
#
#   <base-ref>      what to compare with (a branch, tag or commit), checked out as a git worktree
#   --io            the opt-in I/O-bound set (cold creates of a storage file and a schema tree)
#                   instead of the CPU-bound set; its default threshold is 15 % instead of 5 %
#   --filter GLOB   BenchmarkDotNet filter within the set (default *RegressionCpu* / *RegressionIo*)
#   --threshold PCT a slowdown must exceed this to fail (default 5, or 15 with --io)
#   --launches N    processes per build, alternated base/head/head/base/... (default 6, at least 5)
#   --iterations N  measured iterations per launch, CPU set (default 8); I/O set: AEROSNAP_BENCH_ITERATIONS
#   --name NAME     report directory bench/results/regress/NAME (default: UTC time)
#   --base-own-bench build the base with its own benchmark project instead of the head's: for a base
#                   whose internal API the head's benchmark code no longer compiles against (a
#                   refactoring); allowed only when bench/AeroSnapshot.Bench/Regression/ is identical
#                   in both, so the measured code is still the same
#
# Both builds run the working tree's benchmark code (bench/AeroSnapshot.Bench), compiled once
# against the working tree's library and once against the base's, so only the library differs.
# Launches alternate in the order B H H B B H ..., so drift on a shared machine (other builds,
# thermal, page cache) hits both builds alike. Each launch is one in-process BenchmarkDotNet run
# exporting every iteration; AeroSnapshot.Regress takes each launch's median (the launch is the
# independent unit: a neighbour's build slows all iterations of the launch it overlaps) and
# compares the two builds' launch medians per benchmark (Perfolizer: Harrell-Davis median ratio
# with a 99 % interval, one-sided Mann-Whitney tests against the threshold). Exit 0: no regression; 1: a benchmark is slower beyond the threshold or
# allocates where the base allocated 0 B; 2: undecided (too few samples) or a usage error;
# 3: a build or a benchmark failed. Report: report.md and report.json in the report directory.
set -euo pipefail

usage() { sed -n '4,10p' "$0" >&2; exit 2; }
[ "$#" -ge 1 ] || usage
base_ref=$1
shift
io=0 launches=6 iterations=8 name="" threshold="" filter=() base_own_bench=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --io) io=1 ;;
    --filter) filter=(--filter "${2:?}"); shift ;;
    --threshold) threshold=${2:?}; shift ;;
    --launches) launches=${2:?}; shift ;;
    --iterations) iterations=${2:?}; shift ;;
    --name) name=${2:?}; shift ;;
    --base-own-bench) base_own_bench=1 ;;
    *) usage ;;
  esac
  shift
done

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
base_commit=$(git -C "$repo" rev-parse --verify "$base_ref^{commit}") || { echo "regress: no commit $base_ref" >&2; exit 2; }
head_commit=$(git -C "$repo" rev-parse HEAD)
head_label="working tree at ${head_commit:0:10}"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then head_label+=" with uncommitted changes"; fi
base_label="$base_ref (${base_commit:0:10})"
out="$repo/bench/results/regress/${name:-$(date -u +%Y%m%dT%H%M%SZ)}"

work=$(mktemp -d -t aerosnap-regress.XXXXXX)
cleanup() {
  git -C "$repo" worktree remove --force "$work/base" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

build() { # project directory; output kept quiet unless it fails
  if ! dotnet build "$1" -c Release -v q --nologo -m:1 >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "regress: build of $1 failed" >&2
    exit 3
  fi
}

echo "== base: $base_label; head: $head_label"
git -C "$repo" worktree add --quiet --detach "$work/base" "$base_commit"
if [ "$base_own_bench" -eq 1 ]; then
  # The base keeps its own benchmark project; the measured classes must be the head's exactly.
  if ! git -C "$repo" diff --quiet "$base_commit" -- bench/AeroSnapshot.Bench/Regression; then
    echo "regress: --base-own-bench needs bench/AeroSnapshot.Bench/Regression/ unchanged since $base_ref" >&2
    exit 2
  fi
  base_label+=", its own benchmark project"
else
  # The base builds the head's benchmark code: only the library under test differs.
  rm -rf "$work/base/bench/AeroSnapshot.Bench"
  mkdir -p "$work/base/bench/AeroSnapshot.Bench"
  (cd "$repo/bench/AeroSnapshot.Bench" && tar --exclude=./bin --exclude=./obj -cf - .) | tar -xf - -C "$work/base/bench/AeroSnapshot.Bench"
fi

echo "== build (Release): base, head, comparison tool"
build "$work/base/bench/AeroSnapshot.Bench"
build "$repo/bench/AeroSnapshot.Bench"
build "$repo/bench/AeroSnapshot.Regress"
bench_dll=bench/AeroSnapshot.Bench/bin/Release/net10.0/AeroSnapshot.Bench.dll
declare -A dll=([base]="$work/base/$bench_dll" [head]="$repo/$bench_dll")

set_args=()
if [ "$io" -eq 1 ]; then set_args=(--io); fi
export AEROSNAP_REGRESS_ITERATIONS=$iterations
# Fully optimised code from the first call, no tiering: on a loaded machine the background tier-1
# compile can lag behind the warm-up, and tier-0 code allocates where optimised code does not (see
# README, "The manifest writer must not allocate"); BenchmarkDotNet in process also counts every
# thread's allocations. Without tiering, a 0 B benchmark reads 0 B in every launch. (No dynamic PGO
# either: both builds are measured the same way, which is what a comparison needs.)
export DOTNET_TieredCompilation=0
export AEROSNAP_BENCH_DIR=${AEROSNAP_BENCH_DIR:-$work/data}
mkdir -p "$AEROSNAP_BENCH_DIR"
for ((i = 1; i <= launches; i++)); do
  # B H, H B, B H, ...: a linear drift over the session cancels out pairwise.
  if ((i % 2)); then order=(base head); else order=(head base); fi
  for side in "${order[@]}"; do
    echo "== launch $i/$launches: $side"
    run="$work/runs/$side-$i"
    if ! (cd "$work" && dotnet "${dll[$side]}" --regress "${set_args[@]}" "${filter[@]}" --artifacts "$run") >"$work/launch.log" 2>&1; then
      tail -40 "$work/launch.log" >&2
      echo "regress: launch $i of $side failed" >&2
      exit 3
    fi
  done
done

compare_args=(--out "$out" --base-label "$base_label" --head-label "$head_label")
for ((i = 1; i <= launches; i++)); do compare_args+=(--base "$work/runs/base-$i/results" --head "$work/runs/head-$i/results"); done
if [ "$io" -eq 1 ]; then compare_args+=(--io); fi
if [ -n "$threshold" ]; then compare_args+=(--threshold "$threshold"); fi
status=0
dotnet "$repo/bench/AeroSnapshot.Regress/bin/Release/net10.0/AeroSnapshot.Regress.dll" "${compare_args[@]}" || status=$?
echo "report: ${out#"$repo"/}/report.md (exit $status)"
exit "$status"

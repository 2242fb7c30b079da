#!/usr/bin/env bash
# Whole-process start-up of `aerosnap`: the JIT-compiled build (`dotnet aerosnap.dll`, what
# `dotnet run` and a framework-dependent tool run) against the Native AOT build (`aerosnap` from
# `dotnet publish -r linux-x64`), on four jobs:
#   help     `aerosnap --help`
#   create   `aerosnap create` of a tiny data directory (4 KiB storage.dat, one schema, no WAL);
#            the snapshot is removed between runs, outside the timing
#   list     `aerosnap list` of a data directory holding 100 snapshots (no --verify)
#   verify   `aerosnap verify` of a 256 MiB snapshot whose files are cold, against `cat` of its
#            storage.dat: before every run the page cache is dropped (`echo 3 > drop_caches`)
#            and then the tool's own files (the native binary; for the JIT build its output folder,
#            the shared framework and the dotnet host) are read back, so only the snapshot is cold
# Each job runs RUNS times per build (at least 10), the builds (and cat) alternating in a rotating
# order so that drift on a shared machine hits them alike. Prints every run's wall time, then
# medians and ratios, and writes them to OUT/startup-<UTC time>.md (and a .csv). Peak RSS comes
# from 3 more, untimed runs per build under GNU time (`/usr/bin/time -f %M`): a process's peak RSS
# as the kernel reports it starts at its parent's, so it cannot be taken from the timed runs,
# whose parent is this script's Python.
#
# Usage: bench/scripts/startup.sh [RUNS=11] [OUT=bench/results/startup] [WORK=/tmp/aerosnap-startup]
# Run as root from anywhere (drop_caches needs root). Removes WORK when done, killed or not.
set -euo pipefail

runs=${1:-11}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$repo/bench/results/startup}
work=${3:-/tmp/aerosnap-startup}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
if [ "$runs" -lt 10 ]; then
    echo "RUNS must be at least 10" >&2
    exit 2
fi

rm -rf "$work"
mkdir -p "$work" "$out"
trap 'rm -rf "$work"' EXIT

case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "no Native AOT runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac

echo "== building the JIT build and publishing the native build (Release)"
dotnet build "$repo/src/AeroSnapshot.Cli" -c Release -o "$work/jit" -v quiet -nologo >/dev/null
dotnet publish "$repo/src/AeroSnapshot.Cli" -c Release -r "$rid" -o "$work/native" -v quiet -nologo >/dev/null

export AEROSNAP_WORK="$work" AEROSNAP_RUNS="$runs" AEROSNAP_OUT="$out" AEROSNAP_REPO="$repo"
python3 - <<'PY'
import csv, datetime, os, platform, shutil, statistics, subprocess, sys, time

work, runs, out, repo = os.environ["AEROSNAP_WORK"], int(os.environ["AEROSNAP_RUNS"]), os.environ["AEROSNAP_OUT"], os.environ["AEROSNAP_REPO"]
dotnet = shutil.which("dotnet")
jit = [dotnet, f"{work}/jit/aerosnap.dll"]
native = [f"{work}/native/aerosnap"]
builds = {"jit": jit, "native": native}

def run(argv):
    """Wall time (ms) of one process, from spawn to exit, output discarded."""
    start = time.perf_counter_ns()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = (time.perf_counter_ns() - start) / 1e6
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return elapsed

def peak_rss(argv):
    """Peak RSS (MiB) of one process, by GNU time (its parent is small, unlike this Python)."""
    report = f"{work}/rss.txt"
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report] + argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return int(open(report).read().split()[-1]) / 1024

def quiet(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

# --- data -------------------------------------------------------------------------------------
tiny = f"{work}/tiny"
os.makedirs(f"{tiny}/metadata/schemas/users")
with open(f"{tiny}/storage.dat", "wb") as f:
    f.write(os.urandom(4096))
with open(f"{tiny}/metadata/schemas/users/user.v1.json", "w") as f:
    f.write('{"name":"user","version":1}\n')

many = f"{work}/many"
os.makedirs(f"{many}/metadata/schemas")
with open(f"{many}/storage.dat", "wb") as f:
    f.write(os.urandom(64 * 1024))
with open(f"{many}/metadata/schemas/a.json", "w") as f:
    f.write("{}\n")
quiet(native + ["create", many, "--quiet"])
(first,) = os.listdir(f"{many}/snapshots")
manifest = open(f"{many}/snapshots/{first}/manifest.json").read()
created = datetime.datetime.strptime(first, "%Y%m%dT%H%M%SZ")
for i in range(1, 100):
    # Valid snapshots a second apart: the same files, the manifest's id and created_at rewritten.
    at = created - datetime.timedelta(seconds=i)
    sid, iso = at.strftime("%Y%m%dT%H%M%SZ"), at.strftime("%Y-%m-%dT%H:%M:%SZ")
    target = f"{many}/snapshots/{sid}"
    shutil.copytree(f"{many}/snapshots/{first}", target)
    os.chmod(f"{target}/manifest.json", 0o644)
    with open(f"{target}/manifest.json", "w") as f:
        f.write(manifest.replace(first, sid).replace(created.strftime("%Y-%m-%dT%H:%M:%SZ"), iso))
listing = subprocess.run(native + ["list", many, "--verify", "--json"], capture_output=True, text=True)
if listing.returncode != 0 or listing.stdout.count('"valid"') != 100:
    sys.exit(f"the 100-snapshot directory is not 100 valid snapshots: exit {listing.returncode}\n{listing.stdout[:2000]}\n{listing.stderr}")

big = f"{work}/big"
quiet(native + ["demo", "--size", "256MiB", "--dir", big, "--quiet"])
(big_id,) = os.listdir(f"{big}/snapshots")
big_snapshot = f"{big}/snapshots/{big_id}"

# --- the tool's own files, read back after every drop_caches -----------------------------------
framework_dirs = []
runtimes = subprocess.run([dotnet, "--list-runtimes"], capture_output=True, text=True).stdout.split("\n")
for line in runtimes:
    if line.startswith("Microsoft.NETCore.App 10."):
        name, version, where = line.split(" ", 2)
        framework_dirs.append(os.path.join(where.strip("[]"), version))
tool_files = {
    "jit": [os.path.realpath(dotnet)] + [os.path.join(d, f) for d in [f"{work}/jit"] + framework_dirs[-1:] for f in os.listdir(d) if os.path.isfile(os.path.join(d, f))],
    "native": native[:1],
    "cat": [shutil.which("cat")],
}

def cold(who):
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")
    for path in tool_files[who]:
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass

# --- jobs -------------------------------------------------------------------------------------
def snapshot_cleanup():
    shutil.rmtree(f"{tiny}/snapshots", ignore_errors=True)

jobs = [
    ("help", "--help", lambda b: builds[b] + ["--help"], None, None),
    ("create", "create of a tiny data directory (4 KiB storage, 1 schema)", lambda b: builds[b] + ["create", tiny, "--quiet"], None, snapshot_cleanup),
    ("list", "list of 100 snapshots", lambda b: builds[b] + ["list", many], None, None),
    ("verify", "verify of a cold 256 MiB snapshot", lambda b: (["cat", f"{big_snapshot}/storage.dat"] if b == "cat" else builds[b] + ["verify", big_snapshot]), cold, None),
]

rows = []
rss = {}
for key, label, argv_for, before, after in jobs:
    who = ["jit", "native"] + (["cat"] if key == "verify" else [])
    for b in who:  # one untimed warm-up each
        if before: before(b)
        run(argv_for(b))
        if after: after()
    for i in range(runs):
        order = who[i % len(who):] + who[:i % len(who)]
        for b in order:
            if before: before(b)
            ms = run(argv_for(b))
            if after: after()
            rows.append((key, b, i + 1, ms))
            print(f"{key:7} {b:7} run {i + 1:2}: {ms:8.1f} ms", flush=True)
    for b in who:
        for _ in range(3):
            rss.setdefault((key, b), []).append(peak_rss(argv_for(b)))
            if after: after()

def med(key, b):
    return statistics.median(r[3] for r in rows if r[0] == key and r[1] == b)

def med_rss(key, b):
    return statistics.median(rss[(key, b)])

stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
fs = subprocess.run(["findmnt", "-no", "FSTYPE,OPTIONS", "--target", work], capture_output=True, text=True).stdout.strip()
lines = [
    f"# aerosnap start-up, JIT against Native AOT ({stamp})",
    "",
    f"`bench/scripts/startup.sh {runs}` at commit {commit}; {platform.machine()}, {os.cpu_count()} CPUs, kernel {platform.release()}, "
    f"work folder {work} ({fs}); medians of {runs} runs per build, builds alternating; the machine was shared with other builds, so expect noise.",
    "",
    "| job | JIT median | native median | JIT / native | JIT peak RSS | native peak RSS |",
    "|---|---:|---:|---:|---:|---:|",
]
for key, label, *_ in jobs:
    j, n = med(key, "jit"), med(key, "native")
    lines.append(f"| {label} | {j:.1f} ms | {n:.1f} ms | {j / n:.1f}x | {med_rss(key, 'jit'):.0f} MiB | {med_rss(key, 'native'):.0f} MiB |")
# How much of a tiny create is the snapshot itself (its fsyncs: files, directories, publish), as
# the tool reports it: the pause, from taking the execution lock to publishing.
pauses = []
for _ in range(5):
    doc = subprocess.run(native + ["create", tiny, "--json"], capture_output=True, text=True, check=True).stdout
    pauses.append(float(doc.split('"pause_ms":')[1].split(",")[0]))
    snapshot_cleanup()
c = med("verify", "cat")
lines += [
    "",
    f"Of the native tiny create, the snapshot itself (the pause the tool reports as `pause_ms`: fsync of the copies, "
    f"of the directories, manifest, publish) takes {statistics.median(pauses):.1f} ms (median of 5 more runs).",
    "",
    f"Cold 256 MiB: `cat storage.dat` median {c:.1f} ms; native verify / cat = {med('verify', 'native') / c:.2f}, "
    f"JIT verify / cat = {med('verify', 'jit') / c:.2f}. (verify also reads and checks the schemas and the manifest, "
    "and computes the CRC-32 of every byte; cat only reads storage.dat.)",
]
report = "\n".join(lines) + "\n"
print()
print(report)
with open(f"{out}/startup-{stamp}.md", "w") as f:
    f.write(report)
with open(f"{out}/startup-{stamp}.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["job", "build", "run", "wall_ms"])
    for r in rows:
        w.writerow([r[0], r[1], r[2], f"{r[3]:.2f}"])
print(f"written: {out}/startup-{stamp}.md and .csv")
PY

#!/usr/bin/env python3
"""Summarises a Stryker mutation-report.json: counts by status per file, the score, and (with
--survivors) every surviving or uncovered mutant as file:line, mutator and the replacement code.

    scripts/mutation-summary.py /tmp/aerosnap-mutation/Copying/reports/mutation-report.json --survivors
"""
import json
import sys
from collections import Counter

STATUSES = ["Killed", "Timeout", "Survived", "NoCoverage", "CompileError", "RuntimeError", "Ignored"]


def main(path, survivors):
    report = json.load(open(path, encoding="utf-8"))
    total = Counter()
    print(f"{'file':40} " + " ".join(f"{s[:8]:>8}" for s in STATUSES))
    for name, data in sorted(report["files"].items()):
        counts = Counter(m["status"] for m in data["mutants"])
        total.update(counts)
        short = name.split("AeroSnapshot.Fast/", 1)[-1]
        print(f"{short:40} " + " ".join(f"{counts[s]:8}" for s in STATUSES))
    print(f"{'total':40} " + " ".join(f"{total[s]:8}" for s in STATUSES))
    detected = total["Killed"] + total["Timeout"]
    valid = detected + total["Survived"] + total["NoCoverage"]
    covered = detected + total["Survived"]
    print(f"mutation score {100 * detected / valid:.2f} % ({detected} detected of {valid});"
          f" of covered mutants {100 * detected / covered:.2f} %" if valid and covered else "no valid mutants")
    if survivors:
        for name, data in sorted(report["files"].items()):
            short = name.split("AeroSnapshot.Fast/", 1)[-1]
            for m in sorted(data["mutants"], key=lambda m: (m["location"]["start"]["line"], m["location"]["start"]["column"])):
                if m["status"] in ("Survived", "NoCoverage"):
                    replacement = " ".join(m.get("replacement", "").split())[:110]
                    print(f"{m['status']:10} {short}:{m['location']['start']['line']} [{m['mutatorName']}] -> {replacement}")


if __name__ == "__main__":
    main(sys.argv[1], "--survivors" in sys.argv[2:])

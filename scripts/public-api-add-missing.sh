#!/usr/bin/env bash
# Adds every public symbol the Public API analyzer reports as undeclared (RS0016) to
# src/AeroSnapshot.Fast/PublicAPI.Unshipped.txt, then checks the build is clean. Run it after adding
# public API on purpose, and review the diff of PublicAPI.Unshipped.txt like any other change: it
# is the list of what AeroDB can link against. (The analyzer's own code fix cannot reach members
# the source generator emits; this reads the analyzer's messages instead.)
set -euo pipefail
cd "$(dirname "$0")/.."
project=src/AeroSnapshot.Fast/AeroSnapshot.Fast.csproj
unshipped=src/AeroSnapshot.Fast/PublicAPI.Unshipped.txt

missing=$(dotnet build "$project" -c Debug --nologo -v q --no-incremental -p:TreatWarningsAsErrors=false 2>&1 \
    | grep -o "RS0016: Symbol '.*' is not part of the declared public API" \
    | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" \
    | sort -u || true)
if [ -n "$missing" ]; then
    { tail -n +2 "$unshipped"; printf '%s\n' "$missing"; } | LC_ALL=C sort -u > "$unshipped.new"
    { echo '#nullable enable'; cat "$unshipped.new"; } > "$unshipped"
    rm "$unshipped.new"
    echo "added $(printf '%s\n' "$missing" | wc -l) symbol(s) to $unshipped"
fi
dotnet build "$project" -c Debug --nologo -v q --no-incremental

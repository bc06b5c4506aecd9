#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt
# of the project that declares it (a referenced project's warnings, built along, are left to that project). Review the diff: it is the public API you are about to ship.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/; do
  name="$(basename "$project")"
  out="$(dotnet build "$project/$name.csproj" --no-incremental 2>&1 || true)"
  symbols="$(printf '%s\n' "$out" | grep -F 'RS0016' | grep -F "/$name.csproj]" | sed -n "s/.*Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | sort -u || true)"
  if [ -n "$symbols" ]; then
    file="$project/PublicAPI.Unshipped.txt"
    { grep -v '^#nullable enable$' "$file" || true; printf '%s\n' "$symbols"; } | sort -u > "$file.tmp"
    { echo '#nullable enable'; cat "$file.tmp"; } > "$file"
    rm "$file.tmp"
    echo "$name: $(printf '%s\n' "$symbols" | wc -l) symbol(s) added"
  fi
done

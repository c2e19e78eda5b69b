#!/usr/bin/env bash
# Builds Examples/EmbeddingExample against a tagged copy of this repository, as a user's package would
# depend on facemood (by URL and version, so SwiftPM applies its rules for dependencies), and runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The working tree as it is (committed or not), without ignored files, as a one-commit repository tagged
# with the tool's version.
version="$(sed -n 's/.*static let version = "\([0-9.]*\)".*/\1/p' "$root/Sources/FaceMood/FaceMood.swift")"
mkdir "$work/facemood"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' \
    | tar --null -T - -cf - ) | tar -xf - -C "$work/facemood"
git -C "$work/facemood" init -q
git -C "$work/facemood" add -A
git -C "$work/facemood" -c user.name=test -c user.email=test@localhost commit -qm "facemood under test"
git -C "$work/facemood" tag "$version"

# No FACEMOOD_NATIVE: a dependency must build without unsafe flags.
cp -R "$root/Examples/EmbeddingExample" "$work/example"
(cd "$work/example" && env -u FACEMOOD_NATIVE FACEMOOD_PACKAGE_URL="file://$work/facemood" \
    swift build --scratch-path "$work/build" 2>&1 | tail -n 3)

output="$(FACEMOOD_MODELS="$root/models" "$work/build/debug/EmbeddingExample" "$root/samples/media/single_face.mp4" 5)"
echo "$output"
# The same frames as the command's own timeline: emotion and box of each.
"$root/.build/debug/facemood" analyze "$root/samples/media/single_face.mp4" --csv "$work/cli.csv" --no-json --quiet
expected="$(awk -F, 'NR > 1 && NR <= 6 { printf "frame %d: %s [%s,%s,%s,%s]\n", $1, $9, $5, $6, $7, $8 }' "$work/cli.csv")"
found="$(echo "$output" | sed -n 's/^frame \([0-9]*\) at [0-9.]* s: \([a-z]*\) ([0-9.]*), face at \(.*\)$/frame \1: \2 \3/p')"
if [ "$found" != "$expected" ] || [ "$(echo "$output" | tail -n 1)" != "gradient: 0 faces" ]; then
    echo "test-embedding: expected the command's first five rows:" >&2
    echo "$expected" >&2
    echo "and 'gradient: 0 faces' last" >&2
    exit 1
fi
echo "test-embedding: the example built against facemood $version as a dependency, ran, and gave the command's rows"

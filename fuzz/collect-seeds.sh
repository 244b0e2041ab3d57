#!/usr/bin/env bash
# Rebuilds the seed corpus in fuzz/corpus/: every example model, every test fixture, and
# every model text (and `--set` override) the test suite feeds to `load_model`, valid or
# not: the error cases of the unit tests, the CLI tests' temporary files, the random models
# of the cross-checks.
#
# The texts are captured, not guessed: the crate is copied to a scratch directory, its
# `load_model` is patched to write each text it is given to $NINES_SEED_DIR, and the test
# suite is run there. The working tree is never modified. Takes a few minutes (a full test
# build); run it when tests with new error cases were added, then commit fuzz/corpus/.
#
# Usage: fuzz/collect-seeds.sh [SCRATCH_DIR]   (default: target/fuzz-seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
scratch="${1:-$root/target/fuzz-seeds}"
src="$scratch/crate"
dump="$scratch/dump"
rm -rf "$src" "$dump"
mkdir -p "$src" "$dump/model" "$dump/overrides"

# A copy of the crate without build output, VCS data or this fuzz project.
tar -C "$root" --exclude=./target --exclude=./fuzz --exclude=./.git --exclude=./output -cf - . |
    tar -C "$src" -xf -

# Instrument load_model: write (text, overrides) under a name derived from their content.
python3 - "$src/src/model/load.rs" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
signature = "pub fn load_model(file_name: &str, text: &str, overrides: &[Override]) -> Result<Loaded, Invalid> {\n"
assert signature in text, "load_model's signature changed; update fuzz/collect-seeds.sh"
hook = r'''
    if let Some(dir) = std::env::var_os("NINES_SEED_DIR") {
        use std::hash::{Hash, Hasher};
        let dir = std::path::PathBuf::from(dir);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let _ = std::fs::write(dir.join("model").join(format!("{:016x}.toml", hasher.finish())), text);
        if !overrides.is_empty() {
            // The overrides target's format: a model-choosing first line, then one PATH=VALUE per line.
            let mut sets = String::from("\n");
            for item in overrides {
                sets.push_str(&format!("{}={}\n", item.path.join("."), item.value));
            }
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            sets.hash(&mut hasher);
            let _ = std::fs::write(dir.join("overrides").join(format!("{:016x}", hasher.finish())), sets);
        }
    }
'''
open(path, "w").write(text.replace(signature, signature + hook, 1))
PY

# Run every test (ignored ones too: they are error cases as well); failures do not matter here.
(
    cd "$src"
    NINES_SEED_DIR="$dump" CARGO_TARGET_DIR="$scratch/target" \
        cargo test --quiet --no-fail-fast -- --include-ignored >"$scratch/test.log" 2>&1 || true
)

# Example models and fixtures, under their own names; captured texts under their hashes.
# Texts over 64 KiB are left out (the fuzzer's -max_len would cut them anyway).
out="$root/fuzz/corpus/model"
mkdir -p "$out" "$root/fuzz/corpus/overrides"
for file in models/*.toml tests/fixtures/*.toml tests/fixtures/conformance/*.toml; do
    cp "$file" "$out/$(echo "$file" | tr '/' '_')"
done
if [ -d /work/shared/conformance ]; then
    for file in /work/shared/conformance/*.toml; do
        cp "$file" "$out/shared_conformance_$(basename "$file")"
    done
fi
find "$dump/model" -type f -size -64k -exec cp {} "$out/" \;
cp "$dump/overrides/"* "$root/fuzz/corpus/overrides/" 2>/dev/null || true

# One file per distinct text: named copies (models_*, tests_fixtures_*) win over captured ones.
python3 - "$out" <<'DEDUPE'
import hashlib, os, re, sys
folder = sys.argv[1]
# Named copies (models_*, tests_fixtures_*) first, then shared_*, then captured <hash>.toml.
def order(name):
    captured = re.fullmatch(r"[0-9a-f]{16}\.toml", name) is not None
    return (captured, name.startswith("shared_"), name)
seen = set()
for name in sorted(os.listdir(folder), key=order):
    path = os.path.join(folder, name)
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    if digest in seen:
        os.remove(path)
    seen.add(digest)
DEDUPE
echo "model seeds: $(ls "$out" | wc -l), override seeds: $(ls "$root/fuzz/corpus/overrides" | wc -l)"

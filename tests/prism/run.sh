#!/usr/bin/env bash
# Cross-checks `nines solve` with the Storm model checker on PRISM exports.
#
# Usage: tests/prism/run.sh NINES_BINARY MODEL.toml...
#
# Installs stormpy (pinned in requirements.txt) from PyPI into a throwaway virtual environment
# under target/prism-venv (reused when present), then runs check.py: one line per model, a
# summary, exit 1 on any disagreement or failure. Models too large to export are reported as
# refused. CHECK_ARGS may add options to check.py, e.g. CHECK_ARGS="--tolerance 1e-6".
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 NINES_BINARY MODEL.toml..." >&2
    exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/prism-venv"
python="${PYTHON:-python3}"

if ! "$venv/bin/python" -c 'import stormpy' >/dev/null 2>&1; then
    rm -rf "$venv"
    mkdir -p "$root/target"
    started=$(date +%s)
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
        -r "$here/requirements.txt"
    echo "installed stormpy into $venv in $(($(date +%s) - started)) s"
else
    # Keep the venv on the pinned versions (quiet and offline when they are already there).
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
        -r "$here/requirements.txt"
fi

# shellcheck disable=SC2086 # CHECK_ARGS is a list of options
exec "$venv/bin/python" "$here/check.py" ${CHECK_ARGS:-} "$@"

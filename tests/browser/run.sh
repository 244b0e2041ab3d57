#!/usr/bin/env bash
# Browser check of self-contained HTML reports, for .ci/run and by hand:
#
#   tests/browser/run.sh REPORT.html [REPORT2.html ...]
#
# Installs what it needs, once per machine / cache:
#   - Chromium from Debian (apt-get), only when $BROWSER_CHECK_CHROMIUM (default /usr/bin/chromium)
#     is missing; needs root (or sudo);
#   - playwright-core, pinned in tests/browser/package.json + package-lock.json, with `npm ci`
#     into target/browser-check/ (reused while the lock file is unchanged);
# then runs tests/browser/check_report.mjs on the files: one `ok`/`FAIL` line per file, a
# full-page screenshot NAME.screenshot.png next to each NAME.html, exit 1 if any file fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="$repo/target/browser-check"
chromium="${BROWSER_CHECK_CHROMIUM:-/usr/bin/chromium}"

fail() {
    echo "browser check: error: $*" >&2
    exit 1
}
trap 'rc=$?; echo "browser check: error: command failed (exit $rc): $BASH_COMMAND" >&2' ERR

if [ "$#" -eq 0 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    echo "usage: $0 REPORT.html [REPORT2.html ...]" >&2
    exit 2
fi
for f in "$@"; do
    [ -f "$f" ] || fail "no such file: $f"
done
command -v node >/dev/null 2>&1 || fail "node is not installed (Node.js >= 20 is needed)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed"

# --- Chromium -----------------------------------------------------------------------------
if [ ! -x "$chromium" ]; then
    echo "browser check: installing Chromium (Debian package chromium) ..."
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || fail "$chromium is missing and installing it needs root"
        sudo=(sudo)
    fi
    log="$(mktemp)"
    # fonts-dejavu-core: without --install-recommends Chromium pulls in no font at all.
    if ! { "${sudo[@]}" apt-get update \
        && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            chromium fonts-dejavu-core; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        fail "installing Chromium with apt-get failed (output above)"
    fi
    rm -f "$log"
    [ -x "$chromium" ] || fail "Chromium was installed but $chromium is still missing"
fi
"$chromium" --version 2>/dev/null | head -n 1 || fail "$chromium does not run"

# --- playwright-core ----------------------------------------------------------------------
# npm ci wipes and rebuilds the prefix's node_modules, so do it only when the lock file
# changed (or the last install did not finish: the stamp is written last).
stamp="$cache/installed.lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp" || [ ! -f "$cache/node_modules/playwright-core/package.json" ]; then
    echo "browser check: installing playwright-core into ${cache#"$repo/"} ..."
    mkdir -p "$cache"
    rm -f "$stamp"
    cp "$here/package.json" "$here/package-lock.json" "$cache/"
    log="$(mktemp)"
    if ! npm ci --prefix "$cache" --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        fail "npm ci (playwright-core) failed (output above)"
    fi
    rm -f "$log"
    cp "$here/package-lock.json" "$stamp"
fi

# --- the check ----------------------------------------------------------------------------
trap - ERR
rc=0
BROWSER_CHECK_MODULES="$cache" BROWSER_CHECK_CHROMIUM="$chromium" \
    node "$here/check_report.mjs" "$@" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "browser check: FAILED (exit $rc)" >&2
fi
exit "$rc"

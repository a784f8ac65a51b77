#!/usr/bin/env bash
# tests/public-captures.sh [--quick] [--plugin SO] [DIR_OR_CAPTURE...]
#
# Runs the built plugin (the sanitizer build when there is one) over every
# capture in captures/ and in the public captures beside the repository
# (../shared/captures-public), with tshark -2 as uid 65534,
# WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 and the ASan/UBSan runtimes preloaded
# for a sanitizer build.  Prints a table per capture (frames, frames with a
# mailwire protocol, mailwire expert infos by severity) and fails on a
# crash, a sanitizer report, "Dissector bug", or a malformed-packet
# exception in a mailwire protocol.
#   --quick        skip captures over 256 KiB
#   --plugin SO    the plugin to use (default: build-asan/mailwire.so, else build/mailwire.so)
#   --sanitized ON|OFF  default: ON for build-asan*, else read from the build's CMakeCache.txt
set -euo pipefail

# the repository root (from this script's place: git may be absent, e.g. in a build chroot)
top=$(cd "$(dirname "$0")/.." && pwd)
quick=() plugin="" sanitized="" dirs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick) ;;
        --plugin) plugin=$2; shift ;;
        --sanitized) sanitized=$2; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) dirs+=("$1") ;;
    esac
    shift
done

if [ -z "$plugin" ]; then
    for cand in "$top/build-asan/mailwire.so" "$top/build/mailwire.so"; do
        if [ -f "$cand" ]; then plugin=$cand; break; fi
    done
    [ -n "$plugin" ] || { echo "public-captures: no built plugin (build-asan/ or build/); build first" >&2; exit 2; }
fi
if [ -z "$sanitized" ]; then
    cache="$(dirname "$plugin")/CMakeCache.txt"
    if [ -f "$cache" ] && grep -q '^MAILWIRE_SANITIZE:BOOL=ON' "$cache"; then sanitized=ON; else sanitized=OFF; fi
fi

if [ ${#dirs[@]} -eq 0 ]; then
    [ -d "$top/captures" ] && dirs+=("$top/captures")
    public="$top/../shared/captures-public"
    if [ -d "$public" ]; then
        dirs+=("$(cd "$public" && pwd -P)")
    else
        echo "public-captures: note: $public is absent; only the project's own captures are checked"
    fi
fi
echo "public-captures: plugin $plugin (sanitized $sanitized)"
exec python3 "$top/tests/dissect/survey.py" --plugin "$plugin" --sanitized "$sanitized" \
    "${quick[@]}" "${dirs[@]}"

# Shared by the benchmark runners (sourced, POSIX sh): the checks, and tshark
# run as the unprivileged user nobody (tshark run as root ignores personal
# plugins) with a private HOME: one holding the plugin, one without it
# (Wireshark's built-in dissectors).

# bench_require PLUGIN: the plugin, /usr/bin/time and root are there; exit 2
# when one is missing.
bench_require() {
    [ -f "$1" ] || { echo "no plugin at $1 (build first)" >&2; exit 2; }
    [ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 2; }
    [ "$(id -u)" = 0 ] || { echo "run as root (tshark is run as nobody)" >&2; exit 2; }
}

# bench_homes PLUGIN [PARENT]: sets home_mw (the plugin installed) and home_bi
# (no plugin), both readable by nobody: PARENT/home-mailwire and
# PARENT/home-builtin when PARENT is given (kept), else new temporary ones,
# removed on exit with every path the runner adds to bench_tmp.
bench_homes() {
    if [ $# -gt 1 ]; then
        home_mw=$2/home-mailwire
        home_bi=$2/home-builtin
        mkdir -p "$home_mw" "$home_bi"
    else
        home_mw=$(mktemp -d "${TMPDIR:-/tmp}/mailwire-home.XXXXXX")
        home_bi=$(mktemp -d "${TMPDIR:-/tmp}/builtin-home.XXXXXX")
        bench_tmp="${bench_tmp:-} $home_mw $home_bi"
    fi
    trap 'rm -rf ${bench_tmp:-}' EXIT
    mkdir -p "$home_mw/.local/lib/wireshark/plugins/4.0/epan"
    cp "$1" "$home_mw/.local/lib/wireshark/plugins/4.0/epan/"
    chown -R nobody "$home_mw" "$home_bi"
    chmod 755 "$home_mw" "$home_bi"
}

# as_nobody HOME COMMAND...: COMMAND as nobody with that HOME.
as_nobody() {
    h=$1
    shift
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$h" "$@"
}

# bench_check_homes: the plugin loads from home_mw, and from nowhere else.
bench_check_homes() {
    as_nobody "$home_mw" tshark -G plugins | grep -q mailwire ||
        { echo "the plugin does not load as nobody" >&2; exit 2; }
    if as_nobody "$home_bi" tshark -G plugins | grep -q mailwire; then
        echo "mailwire is installed system-wide: the built-in run would not be built-in" >&2
        exit 2
    fi
}

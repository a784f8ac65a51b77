# Shared helpers for the lab scripts that record mailwire's captures.
#
# Every server and client runs inside a network namespace made here, whose only
# interface is its own loopback: no packet can leave the machine.  The
# loopback's MTU is set to 1500 so TCP segments look like those on a real wire.
# Source this file; it needs root (ip netns) and dumpcap.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAPTURES_DIR=$(cd "$LAB_DIR/.." && pwd)
LAB_NS=${LAB_NS:-mwlab$$}
LAB_WORK=${LAB_WORK:-/tmp/mwlab-work.$$}
LAB_CAPTURE_PID=

lab_log() { echo "lab: $*" >&2; }
lab_die() { echo "lab: $*" >&2; exit 1; }

# Create the namespace with loopback up at MTU 1500.  The loopback also does
# segmentation offload, which would write one frame of up to 64 KiB for a
# large send: one segment per offload packet keeps every frame within the MTU.
lab_ns_up() {
    [ "$(id -u)" = 0 ] || lab_die "must run as root"
    ip netns add "$LAB_NS" || lab_die "cannot create namespace $LAB_NS"
    ip -n "$LAB_NS" link set lo mtu 1500 up
    ip -n "$LAB_NS" link set lo gso_max_segs 1 gso_max_size 1500 || lab_die "cannot limit GSO"
    mkdir -p "$LAB_WORK"
    trap lab_ns_down EXIT
}

# Run a command inside the namespace.
lab_in_ns() { ip netns exec "$LAB_NS" "$@"; }

# lab_capture_start FILE FILTER: record loopback traffic matching FILTER to
# FILE.  dumpcap is exec'd by ip netns exec, so $! is dumpcap itself and the
# stop signal reaches it.
lab_capture_start() {
    local file=$1 filter=$2
    rm -f "$file"
    ip netns exec "$LAB_NS" dumpcap -q -i lo -f "$filter" -w "$file" 2>"$LAB_WORK/dumpcap.log" &
    LAB_CAPTURE_PID=$!
    # dumpcap -q prints nothing: wait for the file's header instead.
    for _ in $(seq 100); do
        [ -s "$file" ] && break
        sleep 0.05
    done
    sleep 0.3
}

# Stop the capture after the last packets have been written.
lab_capture_stop() {
    [ -n "$LAB_CAPTURE_PID" ] || return 0
    sleep 0.5
    kill -TERM "$LAB_CAPTURE_PID" 2>/dev/null
    wait "$LAB_CAPTURE_PID" 2>/dev/null
    LAB_CAPTURE_PID=
}

# lab_inject_keys FILE KEYLOG: embed TLS secrets into the pcapng so the
# capture decrypts with no key log beside it.
lab_inject_keys() {
    local file=$1 keylog=$2 tmp
    [ -s "$keylog" ] || lab_die "key log $keylog is empty"
    tmp="$file.tmp.pcapng"
    editcap --inject-secrets "tls,$keylog" "$file" "$tmp" && mv "$tmp" "$file"
}

# Kill every process left in the namespace, then remove it.
lab_ns_down() {
    lab_capture_stop
    if ip netns pids "$LAB_NS" >/dev/null 2>&1; then
        ip netns pids "$LAB_NS" | xargs -r kill 2>/dev/null
        sleep 0.3
        ip netns pids "$LAB_NS" | xargs -r kill -9 2>/dev/null
        ip netns del "$LAB_NS" 2>/dev/null
    fi
    rm -rf "$LAB_WORK"
}

# Self-signed certificate for the servers (made fresh: no private key is committed).
lab_make_cert() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mail.lab.test" \
        -keyout "$LAB_WORK/key.pem" -out "$LAB_WORK/cert.pem" 2>/dev/null
}

#!/bin/bash
# The big hostile cases: generate them into OUTDIR (never committed), dissect
# each with the plugin under `timeout`, and check that the command after the
# hostile part is still dissected.
#
#   tests/hostile/run-big.sh PLUGIN OUTDIR [SECONDS]      (default 600 s per case)
#
# hostile-big-smtp-long-line       a 10 MB MAIL line (one command, its length on its first and
#                                  last pieces, answered by the 500), then NOOP
# hostile-big-smtp-pipelined-100k  100 000 pipelined NOOPs in 65 000-byte segments, then HELP
# hostile-big-smtp-tiny-segments   999 990 one-byte segments, then HELP
# hostile-big-smtp-moved-past-window  a DATA segment 1.4 MB late, after ACKs of it:
#                                  reported missing past the 1 MiB window, its late copy not dissected
# hostile-big-smtp-million-rcpt    one transaction of 1 000 000 pipelined RCPT, then one
#                                  from other@elsewhere.test (tests/hostile/shape_cases.py)
# hostile-big-smtp-long-lines-10b  four 65 000-byte lines in 10-byte segments, then a
#                                  message from other@elsewhere.test
# Besides the filters, checkv reads the whole tree (-V) once: no "Dissector bug"
# and no mailwire exception, and each expected expert text present.
set -u
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 out=$2 secs=${3:-600}
mkdir -p "$out"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
ver=$(tshark --version | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')
mkdir -p "$home/.local/lib/wireshark/plugins/$ver/epan"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$ver/epan/"
chmod -R a+rX "$home" "$out"
ts() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home" "$@"
    else
        env HOME="$home" "$@"
    fi
}

fail=0
check() { # name filter expected-count
    local name=$1 filter=$2 want=$3 cap=$out/$1.pcapng t0 got rc
    [ -f "$cap" ] || python3 "$here/gen.py" "$out" "$name" || { echo "FAIL $name: generator"; fail=1; return; }
    chmod a+r "$cap"
    t0=$(date +%s)
    got=$(ts timeout "$secs" tshark -r "$cap" -2 -Y "$filter" -T fields -e frame.number 2>"$out/$name.err")
    rc=$?
    local n
    n=$(printf '%s' "$got" | grep -c .)
    if [ $rc -ne 0 ]; then
        echo "FAIL $name: tshark exit $rc after $(( $(date +%s) - t0 )) s (124 = timeout)"; fail=1
    elif [ "$n" != "$want" ]; then
        echo "FAIL $name: '$filter' matched $n frames, expected $want"; fail=1
    else
        echo "ok   $name: '$filter' in frame $(echo $got | tr '\n' ' ') ($(( $(date +%s) - t0 )) s)"
    fi
}

checkv() { # name expected-text...
    local name=$1 cap=$out/$1.pcapng t0 rc pat counts miss=""
    shift
    [ -f "$cap" ] || python3 "$here/gen.py" "$out" "$name" || { echo "FAIL $name: generator"; fail=1; return; }
    chmod a+r "$cap"
    t0=$(date +%s)
    pat='Dissector bug|Malformed Packet: mailwire'
    for want in "$@"; do pat="$pat|$want"; done
    ts timeout "$secs" tshark -r "$cap" -2 -V 2>"$out/$name.err" | grep -Eo "$pat" | sort | uniq -c \
        >"$out/$name.hits"
    rc=${PIPESTATUS[0]}
    counts=$(cat "$out/$name.hits")
    for want in "$@"; do
        printf '%s\n' "$counts" | grep -Eq "$want" || miss="$miss '$want'"
    done
    if [ "$rc" != 0 ]; then
        echo "FAIL $name -V: tshark exit $rc (124 = timeout)"; fail=1
    elif printf '%s\n' "$counts" | grep -Eq 'Dissector bug|Malformed Packet'; then
        echo "FAIL $name -V: $(printf '%s' "$counts" | grep -E 'Dissector bug|Malformed Packet' | head -3)"; fail=1
    elif [ -n "$miss" ]; then
        echo "FAIL $name -V: missing$miss"; fail=1
    else
        echo "ok   $name -V: no dissector bug, experts present ($(( $(date +%s) - t0 )) s)"
    fi
}

check hostile-big-smtp-long-line 'mail.smtp.command == "NOOP"' 1
check hostile-big-smtp-long-line 'mail.smtp.line.length == 10485773' 2
check hostile-big-smtp-long-line 'mail.smtp.command == "MAIL" && mail.smtp.response_in' 1
check hostile-big-smtp-pipelined-100k 'mail.smtp.command == "HELP"' 1
check hostile-big-smtp-tiny-segments 'mail.smtp.command == "HELP"' 1
check hostile-big-smtp-moved-past-window 'mail.stream.lost' 1
check hostile-big-smtp-moved-past-window 'mail.stream.late' 1
check hostile-big-smtp-moved-past-window 'mail.stream.retransmission' 0
check hostile-big-smtp-moved-past-window 'mail.smtp.command == "NOOP"' 1
check hostile-big-smtp-million-rcpt 'mail.smtp.envelope.from == "other@elsewhere.test"' 2
check hostile-big-smtp-million-rcpt 'mail.header.from == "other@elsewhere.test"' 1
check hostile-big-smtp-million-rcpt 'mail.smtp.envelope.rcpt_count == 1000000' 1
check hostile-big-smtp-million-rcpt 'mail.smtp.envelope.rcpt == "r999999@example.test"' 1
checkv hostile-big-smtp-million-rcpt '1000 of 1000000 envelope recipients listed here' \
    'the reply is not matched with it'
check hostile-big-smtp-long-lines-10b 'mail.smtp.envelope.from == "other@elsewhere.test"' 2
check hostile-big-smtp-long-lines-10b 'mail.header.from == "other@elsewhere.test"' 1
check hostile-big-smtp-long-lines-10b 'mail.smtp.reply.code == 501' 1
check hostile-big-smtp-long-lines-10b 'mail.smtp.command == "EHLO"' 1
checkv hostile-big-smtp-long-lines-10b '2 lines over 998 octets'
exit $fail

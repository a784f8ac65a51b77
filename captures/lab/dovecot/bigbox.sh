#!/bin/bash
# Two IMAP captures from a real Dovecot inside the lab's private network
# namespace (loopback only).  Run as root:
#   captures/lab/dovecot/bigbox.sh                               # both
#   captures/lab/dovecot/bigbox.sh imap-uid-search-30000        # only the named one
#   imap-uid-search-30000:      a mailbox of 30 000 small messages generated straight into
#                               Dovecot's Maildir; UID SEARCH ALL answers with one
#                               "* SEARCH" line of 30 000 numbers (far over 64 KiB),
#                               then SEARCH FLAGGED and an ESEARCH (RETURN (MIN MAX COUNT))
#   imap-bodystructure-nested:  FETCH 1:* (UID BODYSTRUCTURE) and FETCH 1:* (BODY) of five
#                               messages with nested multiparts and message/rfc822 parts
# Facts (counts, line lengths, every part by position) go to captures/lab/dovecot/NAME.facts.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/dovecot-lab.sh"
COUNT=${BIGBOX_COUNT:-30000}
WANT=" ${*:-} "
want() { [ "$WANT" = "  " ] || [[ "$WANT" == *" $1 "* ]]; }

python3 "$HERE/gen-nested.py" >/dev/null
python3 "$HERE/../mixed/gen-attachments.py" >/dev/null
lab_ns_up
lab_make_cert
dv_write_conf
chmod -R a+rX "$LAB_WORK"
dv_start

# record NAME MODE: capture bigclient.py MODE into captures/NAME.pcapng; server bytes in $LAB_WORK/NAME.resp
record() {
    local name=$1 mode=$2 tmp=$LAB_WORK/$1.pcapng
    lab_in_ns python3 "$HERE/bigclient.py" warm /dev/null >/dev/null || lab_die "warm-up failed"
    lab_log "recording $name"
    lab_capture_start "$tmp" "tcp port 143"
    lab_in_ns python3 "$HERE/bigclient.py" "$mode" "$LAB_WORK/$name.resp" >"$LAB_WORK/$name.log" 2>&1 ||
        { cat "$LAB_WORK/$name.log" >&2; lab_die "$name: client failed"; }
    lab_capture_stop
    chmod 644 "$tmp"
    mv "$tmp" "$CAPTURES_DIR/$name.pcapng"
}

if want imap-uid-search-30000; then
    NAME=imap-uid-search-30000
    dv_seed bob
    python3 "$HERE/gen-bigbox.py" "$DV_DIR/home/bob/Maildir" "$COUNT"
    chown -R $DV_UID:$DV_GID "$DV_DIR/home/bob"
    record $NAME search
    python3 - "$LAB_WORK/$NAME.resp" "$COUNT" >"$HERE/$NAME.facts" <<'PY'
import re, sys
resp, count = open(sys.argv[1], "rb").read(), int(sys.argv[2])
print("# imap-uid-search-30000.pcapng: facts for assertions (written by bigbox.sh)")
print(f"# mailbox: {count} messages from gen-bigbox.py (message n has UID n; every 1000th flagged)")
print("# tags: s1 LOGIN, s2 SELECT INBOX, s3 UID SEARCH ALL, s4 SEARCH FLAGGED,")
print("#       s5 UID SEARCH RETURN (MIN MAX COUNT) ALL, s6 LOGOUT")
for m in re.finditer(rb"^\* (\d+) EXISTS\r\n", resp, re.M):
    print(f"SELECT: * {m.group(1).decode()} EXISTS")
lines = [l for l in resp.split(b"\r\n") if l.startswith(b"* SEARCH")]
for tag, l in zip(("s3 UID SEARCH ALL", "s4 SEARCH FLAGGED"), lines):
    nums = [int(x) for x in l.split()[2:]]
    print(f"{tag}: '* SEARCH' line of {len(l)} bytes without its CRLF ({len(l) + 2} with), "
          f"{len(nums)} numbers, first {nums[0]}, last {nums[-1]}, "
          f"sum {sum(nums)}, ascending and contiguous: {nums == list(range(nums[0], nums[0] + len(nums)))}")
    if len(nums) < 100:
        print(f"  numbers: {' '.join(map(str, nums))}")
for l in resp.split(b"\r\n"):
    if l.startswith(b"* ESEARCH") or re.match(rb"s\d (OK|NO|BAD)", l):
        print(l.decode())
PY
fi

if want imap-bodystructure-nested; then
    NAME=imap-bodystructure-nested
    dv_seed bob "$MSG_DIR/mixed-attachments.eml" "$MSG_DIR"/imap-nested-{2,3,4,5}.eml
    record $NAME bodystructure
    {
        echo "# $NAME.pcapng: facts for assertions (written by bigbox.sh)"
        echo "# mailbox: 1 mixed-attachments.eml, 2-5 imap-nested-{2,3,4,5}.eml (captures/lab/messages)"
        echo "# tags: b1 LOGIN, b2 SELECT INBOX, b3 FETCH 1:* (UID BODYSTRUCTURE), b4 FETCH 1:* (BODY), b5 LOGOUT"
        echo "# every part of b3's answers by position (bodystructure.py); b4's BODY is the same without"
        echo "# the extension fields (md5, disposition, language, location; multipart parameters)"
        python3 "$HERE/bodystructure.py" "$LAB_WORK/$NAME.resp"
        echo
        echo "## The server's FETCH lines as sent"
        grep -a '^\* [0-9]* FETCH' "$LAB_WORK/$NAME.resp" | tr -d '\r'
    } >"$HERE/$NAME.facts"
fi

dv_stop
lab_log "done"

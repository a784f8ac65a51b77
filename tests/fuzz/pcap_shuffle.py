#!/usr/bin/env python3
"""Reorder, drop and overlap frames of a classic pcap file (convert pcapng
first with `editcap -F pcap`).

    pcap_shuffle.py IN OUT SEED [SWAP_PROB] [DROP_PROB] [OVERLAP_PROB]

Each adjacent pair of frames is swapped with probability SWAP_PROB (default
0.05) and each frame dropped with probability DROP_PROB (default 0.02).  Each
TCP segment with data gets, with probability OVERLAP_PROB (default 0), a
second copy placed one to four frames later: the same sequence numbers with
some bytes changed (a conflicting retransmission), or a copy that starts
inside the segment, has other bytes there and runs a few bytes past its end
(a conflicting partial overlap), or an identical copy.  Ethernet (with VLAN
tags), Linux cooked, raw IP and BSD loopback links; IPv4 and IPv6.  From a
seeded generator so a failing input can be made again.  Standard library.
"""
import random
import struct
import sys


def ip_offset(linktype, data, endian):
    """Offset of the IP header in a frame, or None."""
    if linktype == 1:  # Ethernet
        off, etype = 14, data[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(data) >= off + 4:
            etype, off = data[off + 2:off + 4], off + 4
        return off if etype in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == 113:  # Linux cooked
        return 16 if data[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype in (101, 228, 229):  # raw IP
        return 0
    if linktype == 0:  # BSD loopback: a 4-byte family in host order
        return 4
    return None


def tcp_payload(linktype, data, endian):
    """(ip_off, tcp_off, payload_off) of a TCP segment with data, or None."""
    o = ip_offset(linktype, data, endian)
    if o is None or len(data) < o + 20:
        return None
    ver = data[o] >> 4
    if ver == 4:
        ihl = (data[o] & 15) * 4
        if data[o + 9] != 6 or ihl < 20:
            return None
        t = o + ihl
    elif ver == 6:
        if data[o + 6] != 6:  # extension headers are left alone
            return None
        t = o + 40
    else:
        return None
    if len(data) < t + 20:
        return None
    p = t + (data[t + 12] >> 4) * 4
    return (o, t, p) if p < len(data) else None


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def altered(rnd, payload):
    """The payload with a few bytes changed (printable, so lines stay lines)."""
    b = bytearray(payload)
    for _ in range(max(1, len(b) // 16)):
        i = rnd.randrange(len(b))
        b[i] = rnd.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789<>@.: ")
    return bytes(b)


def overlap_copy(rnd, linktype, endian, rec, offs):
    """A second copy of the segment in rec (pcap record header + frame)."""
    hdr, data = rec[:16], rec[16:]
    o, t, p = offs
    payload = data[p:]
    kind = rnd.random()
    if kind < 0.45:  # same range, other bytes
        new, shift = altered(rnd, payload), 0
    elif kind < 0.9 and len(payload) > 1:  # starts inside, other bytes, runs past the end
        shift = rnd.randrange(1, len(payload))
        new = altered(rnd, payload[shift:]) + bytes(rnd.choice(b"xyz\r\n") for _ in range(rnd.randrange(1, 9)))
    else:  # an identical retransmission
        new, shift = payload, 0
    head = bytearray(data[:p])
    seq = (struct.unpack("!I", head[t + 4:t + 8])[0] + shift) & 0xFFFFFFFF
    head[t + 4:t + 8] = struct.pack("!I", seq)
    grow = len(new) - len(payload)
    if head[o] >> 4 == 4:
        total = struct.unpack("!H", head[o + 2:o + 4])[0] + grow
        head[o + 2:o + 4] = struct.pack("!H", total & 0xFFFF)
        head[o + 10:o + 12] = b"\0\0"
        ihl = (head[o] & 15) * 4
        head[o + 10:o + 12] = struct.pack("!H", ip_checksum(bytes(head[o:o + ihl])))
    else:
        plen = struct.unpack("!H", head[o + 4:o + 6])[0] + grow
        head[o + 4:o + 6] = struct.pack("!H", plen & 0xFFFF)
    frame = bytes(head) + new
    ts_sec, ts_frac, _, orig = struct.unpack(endian + "IIII", hdr)
    return struct.pack(endian + "IIII", ts_sec, ts_frac, len(frame), max(orig + grow, len(frame))) + frame


def main(argv):
    src, dst, seed = argv[1], argv[2], int(argv[3])
    swap = float(argv[4]) if len(argv) > 4 else 0.05
    drop = float(argv[5]) if len(argv) > 5 else 0.02
    overlap = float(argv[6]) if len(argv) > 6 else 0.0
    rnd = random.Random(seed)
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        print("not a classic pcap file", file=sys.stderr)
        return 2
    header, pos, frames = data[:24], 24, []
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frames.append(data[pos:pos + 16 + incl])
        pos += 16 + incl
    if overlap > 0:
        later = {}  # frame index -> copies to insert after it
        for i, rec in enumerate(frames):
            offs = tcp_payload(linktype, rec[16:], endian)
            if offs and rnd.random() < overlap:
                at = min(len(frames) - 1, i + rnd.randrange(1, 5))
                later.setdefault(at, []).append(overlap_copy(rnd, linktype, endian, rec, offs))
        out = []
        for i, rec in enumerate(frames):
            out.append(rec)
            out.extend(later.get(i, []))
        frames = out
    frames = [fr for fr in frames if rnd.random() >= drop]
    i = 0
    while i + 1 < len(frames):
        if rnd.random() < swap:
            frames[i], frames[i + 1] = frames[i + 1], frames[i]
            i += 1
        i += 1
    with open(dst, "wb") as f:
        f.write(header)
        for fr in frames:
            f.write(fr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

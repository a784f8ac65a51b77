#!/usr/bin/env python3
"""Inflate the IMAP COMPRESS=DEFLATE sessions of a lab capture, independently of mailwire.

    deflate-tool.py facts CAPTURE.pcapng        per frame: the inflated bytes of each segment
        ("inflated N @K": N bytes, starting at offset K of that direction's inflated stream)
    deflate-tool.py corrupt IN.pcapng OUT.pcapng
        OUT = IN with one server segment (the first of the response to the first
        FETCH after COMPRESS) made to start a deflate block of the reserved type 3,
        so inflating fails exactly there ("invalid block type"); TCP checksum
        recomputed; every other byte unchanged.

Reads pcapng (Ethernet/IPv4/TCP, as dumpcap writes the lab's loopback) with the
standard library only.  Compression starts after the line end of the server's
tagged OK to "TAG COMPRESS DEFLATE" (client: after that command's line).
"""
import re, struct, sys, zlib


def blocks(data):
    pos = 0
    while pos + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, pos)
        yield pos, btype, blen
        pos += blen


def packets(data):
    """(frame number, offset of the packet bytes in the file, packet bytes)"""
    n = 0
    for pos, btype, blen in blocks(data):
        if btype == 6:                       # enhanced packet block
            n += 1
            caplen = struct.unpack_from("<I", data, pos + 20)[0]
            yield n, pos + 28, data[pos + 28:pos + 28 + caplen]


def tcp(pkt):
    """(src, sport, dst, dport, seq, flags, payload offset in pkt, payload) or None"""
    if len(pkt) < 14 or pkt[12:14] != b"\x08\x00":
        return None
    ip = pkt[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6:
        return None
    total = struct.unpack_from(">H", ip, 2)[0]
    t = ip[ihl:total]
    sport, dport, seq = struct.unpack_from(">HHI", t, 0)
    thl = (t[12] >> 4) * 4
    off = 14 + ihl + thl
    return ip[12:16], sport, ip[16:20], dport, seq, t[13], off, pkt[off:14 + total]


def sessions(data):
    """Per TCP connection to port 143: list of (frame, side, payload offset in file, payload)."""
    conns = {}
    for n, fpos, pkt in packets(data):
        p = tcp(pkt)
        if not p or not p[7]:
            continue
        src, sport, dst, dport, seq, flags, off, pay = p
        if dport == 143:
            key, side = (sport,), "C"
        elif sport == 143:
            key, side = (dport,), "S"
        else:
            continue
        conns.setdefault(key, []).append((n, side, fpos + off, pay))
    return conns


def walk(segs):
    """Yield (frame, side, payload file offset, compressed?, offset in payload where compression starts,
    inflated bytes or None, error) for every segment of one connection."""
    plain = {"C": b"", "S": b""}
    state = {"C": "plain", "S": "plain"}
    dec = {}
    tag = None
    for n, side, fpos, pay in segs:
        if state[side] == "plain":
            start = len(plain[side])
            plain[side] += pay
            cut = None
            if side == "C" and tag is None:
                m = re.search(rb"^(\S+) COMPRESS DEFLATE\r\n", plain["C"], re.M | re.I)
                if m:
                    tag = m.group(1)
                    cut = m.end()
            elif side == "S" and tag is not None:
                m = re.search(rb"^" + re.escape(tag) + rb" OK[^\r\n]*\r\n", plain["S"], re.M)
                if m:
                    cut = m.end()
            if cut is None or cut - start >= len(pay):
                if cut is not None:
                    state[side] = "deflate"
                    dec[side] = zlib.decompressobj(-15)
                yield n, side, fpos, False, None, pay, None
                continue
            state[side] = "deflate"
            dec[side] = zlib.decompressobj(-15)
            k = cut - start
            rest = pay[k:]
            try:
                out, err = dec[side].decompress(rest), None
            except zlib.error as e:
                out, err, state[side] = None, str(e), "broken"
            yield n, side, fpos, True, k, (pay[:k], out), err
            continue
        if state[side] == "broken":
            yield n, side, fpos, True, 0, pay, "broken"
            continue
        try:
            out, err = dec[side].decompress(pay), None
        except zlib.error as e:
            out, err, state[side] = None, str(e), "broken"
        yield n, side, fpos, True, 0, out, err


def show(b, limit=160):
    s = b.decode("latin-1").encode("unicode_escape").decode("ascii")
    return s if len(s) <= limit else s[:limit] + f"... ({len(b)} bytes)"


def facts(path):
    data = open(path, "rb").read()
    for key, segs in sorted(sessions(data).items(), key=lambda kv: kv[1][0][0]):
        print(f"# connection from client port {key[0]}")
        segwire = {s[0]: s[3] for s in segs}
        at = {"C": 0, "S": 0}           # offset in each direction's inflated stream
        spans = {"C": [], "S": []}      # (frame, offset, inflated bytes)
        for n, side, fpos, comp, k, out, err in walk(segs):
            who = "client" if side == "C" else "server"
            if not comp:
                print(f"frame {n} {who} plain {len(out)}: {show(out)}")
            elif err == "broken":
                print(f"frame {n} {who} compressed {len(out)}: not inflated (after the inflate error)")
            elif err:
                print(f"frame {n} {who} compressed {len(segwire[n])}: INFLATE ERROR {err}")
            elif k:
                head, inflated = out
                spans[side].append((n, at[side], inflated))
                print(f"frame {n} {who} plain {len(head)}: {show(head)}")
                print(f"frame {n} {who} then compressed {len(segwire[n]) - k}, inflated {len(inflated)} "
                      f"@{at[side]}: {show(inflated)}")
                at[side] += len(inflated)
            else:
                spans[side].append((n, at[side], out))
                print(f"frame {n} {who} compressed {len(segwire[n])}, inflated {len(out)} @{at[side]}: "
                      f"{show(out)}")
                at[side] += len(out)
        for side, who in (("C", "client"), ("S", "server")):
            stream = b"".join(b for _, _, b in spans[side])

            def frame_at(off):
                return next(n for n, o, b in spans[side] if o <= off < o + len(b))
            pos = 0
            while True:
                m = re.compile(rb"\{(\d+)\+?\}\r\n").search(stream, pos)
                if not m:
                    break
                size, start = int(m.group(1)), m.end()
                if size:
                    print(f"{who} literal {{{size}}} in the inflated stream: bytes {start}-{start + size - 1}, "
                          f"frames {frame_at(start)}-{frame_at(start + size - 1)}")
                pos = start + size
        print()


def corrupt(src, dst):
    data = bytearray(open(src, "rb").read())
    for key, segs in sessions(bytes(data)).items():
        prev_end = {"C": b"", "S": b""}
        for n, side, fpos, comp, k, out, err in walk(segs):
            if side == "S" and comp and not k and out is not None and re.match(rb"\* \d+ FETCH ", out):
                if prev_end["S"] != b"\x00\x00\xff\xff":
                    sys.exit(f"frame {n} does not start a deflate block")
                # First block header: BFINAL=0, BTYPE=3 (reserved): an error in every inflater.
                was = data[fpos]
                data[fpos] = (data[fpos] & ~0x07) | 0x06
                fix_checksum(data, fpos)
                open(dst, "wb").write(data)
                print(f"frame {n}: first TCP payload byte 0x{was:02x} set to 0x{data[fpos]:02x} "
                      "(a deflate block of reserved type 3); its TCP checksum recomputed (the other "
                      "frames keep the loopback's partial checksums, as captured)")
                return
            if side == "S" and comp:
                # compressed bytes of this segment, to see where the last block ended
                seg = [s for s in segs if s[0] == n][0][3]
                prev_end["S"] = (prev_end["S"] + seg)[-4:]
    sys.exit("no FETCH response after COMPRESS found")


def fix_checksum(data, payload_pos):
    # Find the packet holding payload_pos, recompute its TCP checksum.
    for n, ppos, pkt in packets(bytes(data)):
        if ppos <= payload_pos < ppos + len(pkt):
            ip = ppos + 14
            ihl = (data[ip] & 15) * 4
            total = struct.unpack_from(">H", data, ip + 2)[0]
            t = ip + ihl
            seg = bytearray(data[t:ip + total])
            seg[16:18] = b"\0\0"
            pseudo = bytes(data[ip + 12:ip + 20]) + struct.pack(">BBH", 0, 6, len(seg))
            buf = pseudo + bytes(seg) + (b"\0" if len(seg) % 2 else b"")
            s = sum(struct.unpack(f">{len(buf) // 2}H", buf))
            while s >> 16:
                s = (s & 0xFFFF) + (s >> 16)
            struct.pack_into(">H", data, t + 16, ~s & 0xFFFF)
            return
    raise SystemExit("packet not found")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "facts":
        facts(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "corrupt":
        corrupt(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)

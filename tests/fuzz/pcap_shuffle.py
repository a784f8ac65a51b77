#!/usr/bin/env python3
"""Reorder and drop frames of a classic pcap file (convert pcapng first with
`editcap -F pcap`).

    pcap_shuffle.py IN OUT SEED [SWAP_PROB] [DROP_PROB]

Each adjacent pair of frames is swapped with probability SWAP_PROB (default
0.05) and each frame dropped with probability DROP_PROB (default 0.02), from
a seeded generator so a failing input can be made again.  Standard library.
"""
import random
import struct
import sys


def main(argv):
    src, dst, seed = argv[1], argv[2], int(argv[3])
    swap = float(argv[4]) if len(argv) > 4 else 0.05
    drop = float(argv[5]) if len(argv) > 5 else 0.02
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
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frames.append(data[pos:pos + 16 + incl])
        pos += 16 + incl
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

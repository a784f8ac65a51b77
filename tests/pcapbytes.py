"""What the capture writers of the tests share (the benchmarks', the hostile
catalogue's; Python standard library only): the Internet checksum, the IPv4
header of a TCP segment, and the header of a classic pcap file with Ethernet
frames."""
import struct

# Classic pcap, microsecond timestamps, snaplen 65535, Ethernet.
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_tcp(src_ip, dst_ip, length, ipid=0):
    """The IPv4 header (don't fragment, TTL 64, checksum set) of a TCP
    segment of length bytes (its header included) from src_ip to dst_ip."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, ipid & 0xFFFF, 0x4000, 64, 6, 0,
                     src_ip, dst_ip)
    return ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]

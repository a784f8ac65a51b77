#!/usr/bin/env python3
"""Scripted POP3 server (NOT Dovecot) for pop-anomalous-terminators.pcapng.

Listens on 127.0.0.1:110 inside the lab namespace, serves one connection and
answers each command line with a canned reply, several of them deliberately
broken: multiline replies ending in "\\n.\\n", "\\r\\n.\\n", "\\n.\\r\\n",
"\\r.\\r", "\\r\\n.\\r", an RETR whose "+OK n octets" is wrong, and a LIST whose
count does not match STAT.  Each reply is a single send() (one TCP segment).
"""
import socket

M1 = (b"From: a@lab.test\r\nSubject: correct terminator\r\n\r\nbody line\r\n"
      b"..stuffed line (one dot on the wire removed)\r\n")
REPLIES = {
    "USER": b"+OK\r\n",
    "PASS": b"+OK Logged in.\r\n",
    "STAT": b"+OK 3 600\r\n",
    # 4 messages listed while STAT said 3
    "LIST": b"+OK 4 messages:\r\n1 120\r\n2 200\r\n3 230\r\n4 50\r\n.\r\n",
    # correct
    "RETR 1": b"+OK 105 octets\r\n" + M1 + b".\r\n",
    # LF-only message and terminator "\n.\n"
    "RETR 2": b"+OK 53 octets\nFrom: b@lab.test\nSubject: LF only\n\nbody with bare LF\n.\n",
    # CRLF message, terminator "\r\n.\n"
    "RETR 3": b"+OK 52 octets\r\nFrom: c@lab.test\r\nSubject: end CRLF dot LF\r\n\r\nbody\r\n.\n",
    # terminator "\n.\r\n"
    "TOP 1 0": b"+OK\r\nFrom: a@lab.test\r\nSubject: correct terminator\r\n\n.\r\n",
    # bare CR everywhere, terminator "\r.\r"
    "UIDL": b"+OK\r1 uid-aaa\r2 uid-bbb\r3 uid-ccc\r.\r",
    # terminator "\r\n.\r" (CR without LF after the dot)
    "TOP 2 0": b"+OK\r\nFrom: b@lab.test\r\nSubject: LF only\r\n\r\n.\r",
    # octet count says 500, the message holds 60 octets
    "RETR 4": b"+OK 500 octets\r\nFrom: d@lab.test\r\nSubject: wrong octet count\r\n\r\nshort body\r\n.\r\n",
    "LIST 2": b"+OK 2 200\r\n",
    "QUIT": b"+OK Bye.\r\n",
}


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 110))
    srv.listen(1)
    print("ready", flush=True)
    c, _ = srv.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.sendall(b"+OK lab scripted POP3 server ready <1234.5678@mail.lab.test>\r\n")
    buf = b""
    while True:
        d = c.recv(4096)
        if not d:
            break
        buf += d
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            cmd = line.decode()
            key = cmd if cmd in REPLIES else cmd.split(" ")[0]
            c.sendall(REPLIES.get(key, b"-ERR unknown command\r\n"))
            if key == "QUIT":
                c.close()
                return


if __name__ == "__main__":
    main()

"""A raw-socket IMAP client with fixed tags, for the lab's scripted sessions
(bigclient.py, extclient.py): every byte the server sends is written to a
log file, for the facts of the capture."""
import re
import socket


class RawImap:
    def __init__(self, log_path, timeout, host="127.0.0.1", port=143):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.log = open(log_path, "wb")

    def until(self, regex):
        """Reads up to the end of the first match of regex; logs and returns it."""
        r = re.compile(regex, re.M)
        while True:
            m = r.search(self.buf)
            if m:
                got, self.buf = self.buf[:m.end()], self.buf[m.end():]
                self.log.write(got)
                return got
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError(self.buf[-200:])
            self.buf += d

    def greeting(self):
        return self.until(rb"\r\n")

    def cmd(self, tag, text):
        """Sends one command, reads up to its tagged status, prints a summary."""
        self.s.sendall(f"{tag} {text}\r\n".encode())
        got = self.until(rb"^" + tag.encode() + rb" (OK|NO|BAD)[^\r\n]*\r\n")
        print(f"{tag} {text}: {len(got)} bytes, {got.splitlines()[-1].decode()}")
        return got

    def warm(self):
        """LOGIN, SELECT (Dovecot indexes the Maildir), LOGOUT: run before recording."""
        self.cmd("w1", 'LOGIN bob "pa ss\\"word"')
        self.cmd("w2", "SELECT INBOX")
        self.cmd("w3", "LOGOUT")

    def close(self):
        self.s.close()
        self.log.close()

"""COMPRESS=DEFLATE (RFC 4978) before authentication (used by gen.py).

A permissive server offers and accepts COMPRESS in the not-authenticated
state, so the credentials travel inside the deflated stream: a LOGIN with a
literal user name (and its continuation) and a quoted password, refused; an
AUTHENTICATE PLAIN with its base64 response, accepted; then SELECT and
LOGOUT.  Raw deflate, one compressor per direction, a sync flush after each
send, as RFC 4978 asks.  Standard library only.
"""
import base64
import zlib


def imap_compress_preauth(g):
    def case(w):
        k = g.Conn(w, 40150, 143)
        k.s(b"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE AUTH=PLAIN] ready\r\n")
        k.c(b"z1 COMPRESS DEFLATE\r\n")
        k.s(b"z1 OK DEFLATE active\r\n")
        zc = zlib.compressobj(9, zlib.DEFLATED, -15)
        zs = zlib.compressobj(9, zlib.DEFLATED, -15)

        def c(data):
            k.c(zc.compress(data) + zc.flush(zlib.Z_SYNC_FLUSH))

        def s(data):
            k.s(zs.compress(data) + zs.flush(zlib.Z_SYNC_FLUSH))

        c(b"z2 LOGIN {5}\r\n")
        s(b"+ ready for literal\r\n")
        c(b'alice "wonder land"\r\n')
        s(b"z2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
        c(b"z3 AUTHENTICATE PLAIN\r\n")
        s(b"+ \r\n")
        c(base64.b64encode(b"\0alice\0s3cret") + b"\r\n")
        s(b"z3 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] Logged in\r\n")
        c(b"z4 SELECT INBOX\r\n")
        s(b"* 2 EXISTS\r\n* 0 RECENT\r\nz4 OK [READ-WRITE] Select completed.\r\n")
        c(b"z5 LOGOUT\r\n")
        s(b"* BYE Logging out\r\nz5 OK Logout completed.\r\n")
        k.close()
    return case


def cases(g):
    return {"hostile-imap-compress-preauth": imap_compress_preauth(g)}

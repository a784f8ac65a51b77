#!/usr/bin/env python3
"""Checks of the mail statistics and Export Objects over the lab captures.

    check.py --plugin mailwire.so --captures DIR [--sanitized ON|OFF] CASE

CASE is one of the names in CASES below: "tree-*" run `tshark -q -z mail,tree`
and check node counts (a node is named by its path, "SMTP/Commands/MAIL");
"sessions-*" run `-z mail,sessions` and look for a line ("files-*" the same with
`-z mail,files`); "export-*" run
`--export-objects mail,DIR` and compare every file, byte for byte, with the
lab's source message (or with a "sha256:" digest; a source named "FILE+CRLF" is
FILE with a line end added, for a source written without its last one).  Python 3 standard library only.
"""
import argparse
import filecmp
import gzip
import hashlib
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dissect"))
import tshark_env  # noqa: E402

M = "lab/messages/"
A = M + "mixed-attachments/"

CASES = {
    "tree-smtp-plain-session": ("smtp-plain-session.pcapng", {
        "SMTP/Sessions": 1, "SMTP/Commands/EHLO": 1, "SMTP/Commands/MAIL": 1, "SMTP/Commands/RCPT": 2,
        "SMTP/Commands/DATA": 1, "SMTP/Commands/QUIT": 1, "SMTP/Replies/250": 5,
        "SMTP/Replies/220": 1, "SMTP/Replies/354": 1, "SMTP/Replies/221": 1,
        "SMTP/Response time (ms)": 7, "SMTP/Response time (ms)/RCPT": 2,
        "SMTP/Response time (ms)/END OF DATA": 1, "SMTP/Messages": 1, "IMAP": 0, "POP": 0,
        "SMTP/Anomalies": None}),
    "tree-imap-login-select-fetch": ("imap-login-select-fetch.pcapng", {
        "IMAP/Sessions": 1, "IMAP/Commands/LOGIN": 1, "IMAP/Commands/FETCH": 2, "IMAP/Commands/SELECT": 1,
        "IMAP/Replies/OK": 11, "IMAP/Response time (ms)/FETCH": 2, "IMAP/Users/bob": 1,
        "IMAP/Anomalies/mail.imap.auth.cleartext": 1,
        "IMAP/Sessions with/cleartext credentials": 1, "IMAP/Messages": None}),
    "tree-pop-user-pass": ("pop-user-pass.pcapng", {
        "POP/Sessions": 1, "POP/Commands/USER": 1, "POP/Commands/PASS": 1, "POP/Commands/RETR": 1,
        "POP/Commands/TOP": 2, "POP/Replies/+OK": 11, "POP/Response time (ms)/RETR": 1,
        "POP/Users/carol": 1, "POP/Anomalies/mail.pop.auth.cleartext": 1, "POP/Messages": 1}),
    "tree-smtp-starttls": ("smtp-starttls.pcapng", {
        "SMTP/Sessions with/STARTTLS accepted": 1, "SMTP/Sessions with/TLS (decrypted)": 1,
        "SMTP/Users/alice": 1, "SMTP/Sessions with/cleartext credentials": None}),
    "tree-smtp-smuggle-02": ("smtp-smuggle-02-lf-dot-crlf.pcapng", {
        "SMTP/Anomalies/mail.smtp.smuggling.lf_dot_crlf": 1}),
    # The server executed the smuggled commands: one event, however many replies.
    "tree-smtp-smuggle-01": ("smtp-smuggle-01-lf-dot-lf.pcapng", {
        "SMTP/Anomalies/mail.smtp.smuggling.accepted": 1, "SMTP/Sessions": 1}),
    # Bare LF, bare CR and NUL inside a message: each counted once per message.
    "tree-smtp-data-bare": ("smtp-data-bare-cr-lf-nul-longline.pcapng", {
        "SMTP/Sessions": 1, "SMTP/Anomalies/mail.smtp.data.bare_lf": 1,
        "SMTP/Anomalies/mail.smtp.data.bare_cr": 1, "SMTP/Anomalies/mail.smtp.data.nul": 1}),
    # COMPRESS=DEFLATE: what was inflated counts as in a plain session (8 commands
    # of the compressed connection, 3 of the plain one; the fetched and the
    # appended message, 6328 + 306 octets).
    "tree-imap-compress-deflate": ("imap-compress-deflate.pcapng", {
        "IMAP/Sessions": 2, "IMAP/Commands": 11, "IMAP/Commands/FETCH": 2, "IMAP/Commands/APPEND": 2,
        "IMAP/Commands/IDLE": 1, "IMAP/Commands/SELECT": 1, "IMAP/Commands/COMPRESS": 1,
        "IMAP/Commands/LOGOUT": 2, "IMAP/Replies/OK": 11, "IMAP/Response time (ms)/IDLE": 1,
        "IMAP/Messages": 3, "IMAP/Attachments": 1, "IMAP/Users/bob": 2}),
    # Findings sent inside the deflated stream count as in clear; an unknown
    # command is counted as "(unknown)" (as in POP3), not as a nameless row.
    "tree-imap-compress-findings": ("imap-compress-findings.pcapng", {
        "IMAP/Sessions": 1, "IMAP/Commands": 9, "IMAP/Commands/(UNKNOWN)": 1, "IMAP/Commands/NOOP": 2,
        "IMAP/Commands/FETCH": 1, "IMAP/Commands/SEARCH": 1, "IMAP/Replies/BAD": 2, "IMAP/Replies/OK": 7,
        "IMAP/Response time (ms)/(UNKNOWN)": 1, "IMAP/Users/bob": 1}),
    "sessions-imap-compress-deflate": ("imap-compress-deflate.pcapng", [
        r"^IMAP\s+127\.0\.0\.1:46964\s+127\.0\.0\.1:143\s+bob\s+none,clear-auth\s+8\s+2\s+1\s+6634\s+1\s+4-66$",
        r"^IMAP\s+127\.0\.0\.1:46974\s+127\.0\.0\.1:143\s+bob\s+none,clear-auth\s+3\s+1\s+0\s+244\s+1\s+38-51$"]),
    "sessions-pop-user-pass": ("pop-user-pass.pcapng", [
        r"^POP\s+127\.0\.0\.1:\d+\s+127\.0\.0\.1:110\s+carol\s+none,clear-auth\s+11\s+1\s+0\s+355\s+1\s+\d+-\d+$"]),
    "sessions-imap-993-tls": ("imap-993-tls.pcapng", [
        r"^IMAP\s+\S+\s+127\.0\.0\.1:993\s+bob\s+TLS\s+\d+\s+1\s+0\s+438\s",
        r"^IMAP\s+\S+\s+127\.0\.0\.1:993\s+\S+\s+TLS\s+\d+\s+1\s+0\s+787\s"]),
    # A session that holds only the server's greeting still counts.
    "sessions-imap-greeting-only": ("imap-greeting-only.pcapng", [
        r"^IMAP\s+127\.0\.0\.1:52830\s+127\.0\.0\.1:143\s+-\s+none\s+0\s+0\s+0\s+0\s+0\s+4-4$"]),
    "tree-imap-greeting-only": ("imap-greeting-only.pcapng", {
        "IMAP/Sessions": 1, "IMAP/Commands": None, "IMAP/Replies": None, "SMTP": 0, "POP": 0}),
    # Captured after SELECT: FETCH and NOOP counted, the session from its first frame.
    "sessions-imap-midsession": ("hostile-imap-midsession.pcapng", [
        r"^IMAP\s+192\.0\.2\.1:40101\s+192\.0\.2\.25:143\s+-\s+none\s+2\s+0\s+0\s+0\s+0\s+1-6$"]),
    # Attachment digests: of the part as Python's email package decodes it from the source.
    "export-smtp-plain-session": ("smtp-plain-session.pcapng", {
        "smtp-f17-alice@lab.test-Café_menü_for_the_weekend.eml": M + "smtp-plain-session.eml",
        "smtp-f17-p2-lab-data.bin": "sha256:43250dde5e713a0e0f62b46b37c309527766778c35334fd16827af30d58f1056"}),
    "export-smtp-large-message": ("smtp-large-message.pcapng", {
        "smtp-f1747-alice@lab.test-a_large_message.eml": M + "smtp-large-message.eml",
        "smtp-f1747-p2-random.bin": "sha256:5eb67ca20914c2ae93cf9e71f146cc31a920aa4c61ec4626f6a5585c3016ef94"}),
    "export-imap-fetch-large": ("imap-fetch-large.pcapng", {
        "imap-f1558-hub@lab.test-Large_message_about_2_MB.eml": M + "imap-pop-large-2mb.eml.gz",
        "imap-f1558-p2-readings.csv": "sha256:503e3a7f62aa0688b9246b6319df38f35b8ea0a8a89d676b5e9f976dc4028d0c"}),
    "export-pop-retr-large": ("pop-retr-large.pcapng", {
        "pop-f1444-hub@lab.test-Large_message_about_2_MB.eml": M + "imap-pop-large-2mb.eml.gz",
        "pop-f1444-p2-readings.csv": "sha256:503e3a7f62aa0688b9246b6319df38f35b8ea0a8a89d676b5e9f976dc4028d0c",
        "pop-f1451-alice@lab.test-POP_lab_message_one.eml": M + "pop-1.eml"}),
    "export-pop-user-pass": ("pop-user-pass.pcapng", {
        "pop-f31-carol@lab.test-Lines_starting_with_dots.eml": M + "pop-2-dots.eml"}),
    "export-imap-append": ("imap-append.pcapng", {
        "imap-f16-alice@lab.test-Appended_with_a_synchronizing_literal.eml": M + "imap-append-sync.eml",
        "imap-f22-alice@lab.test-Appended_with_a_non-synchronizing_literal_LITERAL+.eml":
            M + "imap-append-nonsync.eml",
        "imap-f29-alice@lab.test-Appended_with_a_literal8_BINARY.eml": M + "imap-append-binary.eml"}),
    "export-smtp-bdat-coalesced": ("smtp-bdat-coalesced.pcapng", {
        "smtp-f9-alice@lab.test-BDAT_pipelined_with_bare_line_ends.eml": M + "smtp-bdat-coalesced-1.eml",
        "smtp-f18-alice@lab.test-BDAT_after_RSET.eml": M + "smtp-bdat-coalesced-2.eml"}),
    # The message smuggled after <LF>.<CR><LF>, as a lenient receiver stores it: its own object.
    "export-smtp-smuggle-02": ("smtp-smuggle-02-lf-dot-crlf.pcapng", {
        "smtp-f15-alice@lab.test-quarterly_figures.eml":
            "sha256:87f77f96ab2a0b0a829d72cf0d58b69d35d889d6b29edd5caf44e2d9a236efd7",
        "smtp-f15-smuggled-ceo@lab.test-urgent_wire_transfer.eml": M + "smtp-smuggle-hidden.eml+CRLF"}),
    # hostile TCP order (tests/hostile/tcp_cases.py writes the messages)
    "export-hostile-pop-late-retrans": ("hostile-pop-late-retrans.pcapng", {
        "pop-f117-alice@example.test-Late_retransmissions.eml": M + "hostile-pop-late-retrans.eml"}),
    "export-hostile-smtp-moved": ("hostile-smtp-moved.pcapng", {
        "smtp-f69-alice@example.test-Moved_segments.eml": M + "hostile-smtp-moved.eml"}),
    "export-hostile-smtp-reverse": ("hostile-smtp-reverse.pcapng", {
        "smtp-f16-alice@example.test-Reverse_order.eml": M + "hostile-smtp-reverse.eml"}),
    # FETCH and APPEND literals read from the inflated COMPRESS=DEFLATE stream.
    "export-imap-compress-deflate": ("imap-compress-deflate.pcapng", {
        "imap-f21-alice@lab.test-Compressed_fetch_report_with_attachment.eml":
            M + "imap-compress-fetch.eml",
        "imap-f21-p2-numbers.bin": "sha256:e1715d9447efd1d38eb836514768b5a2085fd1fd332c288e3d21660544bc7575",
        "imap-f27-bob@lab.test-Appended_through_a_compressed_stream.eml": M + "imap-compress-append.eml",
        "imap-f46-dave@lab.test-Arrived_during_IDLE.eml": M + "imap-compress-idle-new.eml"}),
    # One message through SMTP, IMAP and POP3: each copy and its attachments, decoded.
    "export-mixed-attachments": ("mixed-smtp-imap-pop-attachments.pcapng", {
        "smtp-f34-alice@lab.test-Q1_report_résumé_and_overview.eml": M + "mixed-attachments.eml",
        "imap-f85-alice@lab.test-Q1_report_résumé_and_overview.eml":
            "sha256:b604941258ccfdb01a8a1f860c6ba18c1c74ee55b7585c6a7a9e69629e989fa8",
        "pop-f147-alice@lab.test-Q1_report_résumé_and_overview.eml":
            "sha256:4f2fe9ce3830008f4364a96d05d1a3c6526d1e63913855d237de571e11a9bd10",
        "smtp-f34-p1.2.2-logo.png": A + "part-1.2.2.png",
        "smtp-f34-p2-report-2025-Q1.pdf": A + "part-2.pdf",
        "smtp-f34-p3-Résumé_été_2025.txt": A + "part-3.txt",
        "smtp-f34-p4-Übersicht_Q1.xlsx": A + "part-4.xlsx",
        "smtp-f34-p5-données-2025-日本語.csv": A + "part-5.csv",
        "smtp-f34-p6-forwarded.eml": A + "part-6.eml",
        "smtp-f34-p6.2-inner.bin": A + "part-6.2.bin",
        "imap-f85-p1.2.2-logo.png": A + "part-1.2.2.png",
        "imap-f85-p2-report-2025-Q1.pdf": A + "part-2.pdf",
        "imap-f85-p3-Résumé_été_2025.txt": A + "part-3.txt",
        "imap-f85-p4-Übersicht_Q1.xlsx": A + "part-4.xlsx",
        "imap-f85-p5-données-2025-日本語.csv": A + "part-5.csv",
        "imap-f85-p6-forwarded.eml": A + "part-6.eml",
        "imap-f85-p6.2-inner.bin": A + "part-6.2.bin",
        "pop-f147-p1.2.2-logo.png": A + "part-1.2.2.png",
        "pop-f147-p2-report-2025-Q1.pdf": A + "part-2.pdf",
        "pop-f147-p3-Résumé_été_2025.txt": A + "part-3.txt",
        "pop-f147-p4-Übersicht_Q1.xlsx": A + "part-4.xlsx",
        "pop-f147-p5-données-2025-日本語.csv": A + "part-5.csv",
        "pop-f147-p6-forwarded.eml": A + "part-6.eml",
        "pop-f147-p6.2-inner.bin": A + "part-6.2.bin",
    }),
    "tree-mixed-attachments": ("mixed-smtp-imap-pop-attachments.pcapng", {
        "SMTP/Attachments": 7, "IMAP/Attachments": 7, "POP/Attachments": 7,
        "SMTP/Messages": 1, "IMAP/Messages": 1, "POP/Messages": 1}),
    "sessions-mixed-attachments": ("mixed-smtp-imap-pop-attachments.pcapng", [
        r"^SMTP\s+\S+\s+127\.0\.0\.1:25\s+\S+\s+\S+\s+\d+\s+1\s+7\s+22449\s",
        r"^IMAP\s+\S+\s+127\.0\.0\.1:143\s+bob\s+\S+\s+\d+\s+1\s+7\s+22687\s",
        r"^POP\s+\S+\s+127\.0\.0\.1:110\s+\S+\s+\S+\s+\d+\s+1\s+7\s+22691\s"]),
    # -z mail,files: one line per attachment, hashes from the lab's facts.
    "files-mixed-attachments": ("mixed-smtp-imap-pop-attachments.pcapng", [
        r"^SMTP\s+34\s+\S+\s+1\.2\.2\s+463\s+542b727117a4a55d1303c0efcae7fc7cd3af226b00450e4e3191eb403da99738\s+66bb743a8dc554948bcc40b687910021\s+55279472952b8f541f117681fa71524864014643\s+image/png\s",
        r"^SMTP\s+34\s+\S+\s+2\s+9221\s+d9c936463d0148aabc513cca8c4dbc1cc0c7b652f97e81daea7e3baaf045c5fa\s+d59896a084440173befc130807ec2aba\s+d42a52a634b0fdc56900cbebd00c8e8718546a8b\s+application/pdf\s",
        r"^SMTP\s+34\s+\S+\s+3\s+198\s+fa6be78cc6a2a912bafad223ecb65167a9c935bbbc68c59c05d5e7122a1d6a0a\s+243d57fbb83f45eec282f566b1ec31d3\s+80e5503d4a52a53458951359f68dc7629cb4a5e8\s+text/plain\s",
        r"^SMTP\s+34\s+\S+\s+4\s+3008\s+0dd2ddd25397b5383bb0df7419c371a4cbff07403c0dfe35dd10729e4b543e4a\s+71c3b2fb0183f4db3caacacd42de1e8f\s+d532b42ab9aed7495dd252d7c3f336294154c1e0\s+application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\s",
        r"^SMTP\s+34\s+\S+\s+5\s+52\s+7cb53b4ddfbc300f025b6f9d7c4cd5d93cf7e605472de9bf7d6a78ffc8b3f335\s+43388036377d7ce991808105df63dbdd\s+aa9fd5f204ac43264ccc8259b02ab848b0bddc65\s+text/csv\s",
        r"^SMTP\s+34\s+\S+\s+6\s+2177\s+b3764db7243b9a3107ff0677ca098f9e352f26de5b1d5267b2791de177adc88b\s+c2a79b3e6a300b775ee79724cc185b64\s+3382692b10e28e9ca91d1d6229d0c208120676a9\s+message/rfc822\s",
        r"^SMTP\s+34\s+\S+\s+6\.2\s+1200\s+06cd812e957088fe64dc58f74a09a0d6eb32869a55b935705a369ab912f913b1\s+5d0e10f6fb4791ac163d57098d06a9ec\s+5e646b0c1ea86e887c4c41590c61f9e758223da1\s+application/octet-stream\s",
        r"^IMAP\s+85\s+\S+\s+1\.2\.2\s+463\s+542b727117a4a55d1303c0efcae7fc7cd3af226b00450e4e3191eb403da99738\s+66bb743a8dc554948bcc40b687910021\s+55279472952b8f541f117681fa71524864014643\s+image/png\s",
        r"^IMAP\s+85\s+\S+\s+2\s+9221\s+d9c936463d0148aabc513cca8c4dbc1cc0c7b652f97e81daea7e3baaf045c5fa\s+d59896a084440173befc130807ec2aba\s+d42a52a634b0fdc56900cbebd00c8e8718546a8b\s+application/pdf\s",
        r"^IMAP\s+85\s+\S+\s+3\s+198\s+fa6be78cc6a2a912bafad223ecb65167a9c935bbbc68c59c05d5e7122a1d6a0a\s+243d57fbb83f45eec282f566b1ec31d3\s+80e5503d4a52a53458951359f68dc7629cb4a5e8\s+text/plain\s",
        r"^IMAP\s+85\s+\S+\s+4\s+3008\s+0dd2ddd25397b5383bb0df7419c371a4cbff07403c0dfe35dd10729e4b543e4a\s+71c3b2fb0183f4db3caacacd42de1e8f\s+d532b42ab9aed7495dd252d7c3f336294154c1e0\s+application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\s",
        r"^IMAP\s+85\s+\S+\s+5\s+52\s+7cb53b4ddfbc300f025b6f9d7c4cd5d93cf7e605472de9bf7d6a78ffc8b3f335\s+43388036377d7ce991808105df63dbdd\s+aa9fd5f204ac43264ccc8259b02ab848b0bddc65\s+text/csv\s",
        r"^IMAP\s+85\s+\S+\s+6\s+2177\s+b3764db7243b9a3107ff0677ca098f9e352f26de5b1d5267b2791de177adc88b\s+c2a79b3e6a300b775ee79724cc185b64\s+3382692b10e28e9ca91d1d6229d0c208120676a9\s+message/rfc822\s",
        r"^IMAP\s+85\s+\S+\s+6\.2\s+1200\s+06cd812e957088fe64dc58f74a09a0d6eb32869a55b935705a369ab912f913b1\s+5d0e10f6fb4791ac163d57098d06a9ec\s+5e646b0c1ea86e887c4c41590c61f9e758223da1\s+application/octet-stream\s",
        r"^POP\s+147\s+\S+\s+1\.2\.2\s+463\s+542b727117a4a55d1303c0efcae7fc7cd3af226b00450e4e3191eb403da99738\s+66bb743a8dc554948bcc40b687910021\s+55279472952b8f541f117681fa71524864014643\s+image/png\s",
        r"^POP\s+147\s+\S+\s+2\s+9221\s+d9c936463d0148aabc513cca8c4dbc1cc0c7b652f97e81daea7e3baaf045c5fa\s+d59896a084440173befc130807ec2aba\s+d42a52a634b0fdc56900cbebd00c8e8718546a8b\s+application/pdf\s",
        r"^POP\s+147\s+\S+\s+3\s+198\s+fa6be78cc6a2a912bafad223ecb65167a9c935bbbc68c59c05d5e7122a1d6a0a\s+243d57fbb83f45eec282f566b1ec31d3\s+80e5503d4a52a53458951359f68dc7629cb4a5e8\s+text/plain\s",
        r"^POP\s+147\s+\S+\s+4\s+3008\s+0dd2ddd25397b5383bb0df7419c371a4cbff07403c0dfe35dd10729e4b543e4a\s+71c3b2fb0183f4db3caacacd42de1e8f\s+d532b42ab9aed7495dd252d7c3f336294154c1e0\s+application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\s",
        r"^POP\s+147\s+\S+\s+5\s+52\s+7cb53b4ddfbc300f025b6f9d7c4cd5d93cf7e605472de9bf7d6a78ffc8b3f335\s+43388036377d7ce991808105df63dbdd\s+aa9fd5f204ac43264ccc8259b02ab848b0bddc65\s+text/csv\s",
        r"^POP\s+147\s+\S+\s+6\s+2177\s+b3764db7243b9a3107ff0677ca098f9e352f26de5b1d5267b2791de177adc88b\s+c2a79b3e6a300b775ee79724cc185b64\s+3382692b10e28e9ca91d1d6229d0c208120676a9\s+message/rfc822\s",
        r"^POP\s+147\s+\S+\s+6\.2\s+1200\s+06cd812e957088fe64dc58f74a09a0d6eb32869a55b935705a369ab912f913b1\s+5d0e10f6fb4791ac163d57098d06a9ec\s+5e646b0c1ea86e887c4c41590c61f9e758223da1\s+application/octet-stream\s",
    ]),
}


def parse_tree(text):
    """{"SMTP/Commands/MAIL": count} from the stats tree's text output."""
    nodes, stack, inside = {}, [], False
    for line in text.splitlines():
        if line.startswith("Topic / Item"):
            inside = True
            continue
        if not inside or not line.strip() or line.startswith("---"):
            continue
        depth = len(line) - len(line.lstrip(" "))
        cols = re.split(r"\s{2,}", line.strip())
        if len(cols) < 2 or not cols[1].isdigit():
            continue
        del stack[depth:]
        stack.append(cols[0])
        nodes["/".join(stack)] = int(cols[1])
        # A node's share of its parent: never above 100 %.
        pct = re.search(r"\s(\d+(?:\.\d+)?)%", line)
        if pct and float(pct.group(1)) > 100.0:
            nodes.setdefault("percent over 100", []).append("/".join(stack))
    return nodes


def source_bytes(captures, rel):
    if rel.startswith("sha256:"):
        return rel
    if rel.endswith("+CRLF"):
        return source_bytes(captures, rel[:-len("+CRLF")]) + b"\r\n"
    path = os.path.join(captures, rel)
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--sanitized", default="OFF")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    capture, want = CASES[a.case]
    errors = []
    with tshark_env.TsharkEnv(a.plugin, tshark_env.on_off(a.sanitized)) as env:
        env.check_plugin_loaded()
        cap = env.capture(os.path.join(a.captures, capture))
        if a.case.startswith("export-"):
            out_dir = os.path.join(env.home, "export")
            rc, out, err = env.run(["-r", cap, "-q", "--export-objects", f"mail,{out_dir}"])
            files = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
            for name in sorted(set(files) - set(want)):
                errors.append(f"unexpected file {name}")
            for name, src in sorted(want.items()):
                if name not in files:
                    errors.append(f"missing {name} (have: {', '.join(files) or 'none'})")
                    continue
                with open(os.path.join(out_dir, name), "rb") as f:
                    got = f.read()
                exp = source_bytes(a.captures, src)
                if isinstance(exp, str):
                    digest = "sha256:" + hashlib.sha256(got).hexdigest()
                    if digest != exp:
                        errors.append(f"{name}: {digest}, want {exp}")
                    else:
                        print(f"ok   {name} {exp}")
                elif got != exp:
                    errors.append(f"{name}: {len(got)} bytes, {src} has {len(exp)}; first difference "
                                  f"at byte {first_difference(got, exp)}")
                else:
                    print(f"ok   {name} == {src} ({len(got)} bytes)")
        elif a.case.startswith("sessions-") or a.case.startswith("files-"):
            stat = "mail,sessions" if a.case.startswith("sessions-") else "mail,files"
            rc, out, err = env.run(["-r", cap, "-q", "-z", stat])
            lines = out.splitlines()
            for rx in want:
                if not any(re.search(rx, l) for l in lines):
                    errors.append(f"no session line matches {rx}")
            print(out)
        else:
            rc, out, err = env.run(["-r", cap, "-q", "-z", "mail,tree"])
            nodes = parse_tree(out)
            for path in nodes.pop("percent over 100", []):
                errors.append(f"{path}: percentage above 100 %")
            for path, n in want.items():
                got = nodes.get(path)
                if got != n:
                    errors.append(f"{path}: want {'absent' if n is None else n}, got "
                                  f"{'absent' if got is None else got}")
                else:
                    print(f"ok   {path} = {'absent' if n is None else n}")
        errors += tshark_env.run_problems(rc, err, out or "")
    for e in errors:
        print("FAIL " + e)
    print(f"{a.case}: {'FAILED' if errors else 'passed'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

/* IMAP client line classification: spans in the line, names known. */
#include "fuzz_util.h"
#include "core/imap/imap_command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    mw_imap_command c;
    mw_imap_client_kind k = mw_imap_client_line(b, size, &c);
    FZ_CHECK(k == c.kind);
    FZ_SPAN_IN(c.tag_off, c.tag_len, size);
    FZ_SPAN_IN(c.name_off, c.name_len, size);
    FZ_SPAN_IN(c.uid_off, c.uid_len, size);
    FZ_SPAN_IN(c.args_off, c.args_len, size);
    FZ_CHECK(c.cmd < MW_IMAP_CMD_COUNT);
    FZ_CHECK(mw_imap_cmd_name(c.cmd) != NULL);
    if (k == MW_IMAP_CLIENT_COMMAND) {
        FZ_CHECK(mw_imap_tag_valid(b + c.tag_off, c.tag_len));
        FZ_CHECK(mw_imap_cmd_lookup(b + c.name_off, c.name_len) == c.cmd);
    }
    (void)mw_imap_tag_valid(b, size);
    (void)mw_imap_cmd_takes_uid(c.cmd);
    free(b);
    return 0;
}

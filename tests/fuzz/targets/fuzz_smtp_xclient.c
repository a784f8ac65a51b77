/* XCLIENT/XFORWARD attributes and xtext on one line: spans lie in the
 * arguments, decoded values in the caller's buffer and equal to decoding
 * the value alone, the walk advances and ends, addresses round-trip. */
#include "fuzz_util.h"
#include "core/smtp/smtp_syntax.h"
#include "core/smtp/smtp_xclient.h"

static void run(const uint8_t *b, size_t start, size_t end, mw_xcmd_kind kind)
{
    size_t room = end - start;
    uint8_t *dec = malloc(room ? room : 1);
    mw_xattr_iter it;
    mw_xattr a;
    mw_xattr_begin(&it, kind, b, start, end);
    size_t last = start;
    unsigned n = 0, flags = 0;
    while (mw_xattr_next(&it, &a, dec)) {
        n++;
        flags |= a.flags;
        FZ_CHECK(a.item.off >= last && a.item.len >= 1);
        FZ_CHECK(a.item.off >= start && a.item.off + a.item.len <= end);
        FZ_CHECK(a.name.off == a.item.off);
        FZ_CHECK(a.value.off + a.value.len == a.item.off + a.item.len);
        FZ_CHECK(a.has_equals == !(a.flags & MW_XATTR_F_NO_EQUALS));
        FZ_SPAN_IN(a.decoded.off, a.decoded.len, room);
        FZ_CHECK(a.decoded.len <= a.value.len);
        last = a.item.off + a.item.len;
        FZ_CHECK(n <= room);
        uint8_t *again = malloc(a.value.len ? a.value.len : 1);
        unsigned xf;
        size_t dl = mw_xtext_decode(b + a.value.off, a.value.len, again, &xf);
        FZ_CHECK(dl == a.decoded.len && xf == a.xtext_flags);
        FZ_CHECK(dl == 0 || memcmp(again, dec + a.decoded.off, dl) == 0);
        free(again);
        FZ_CHECK(mw_xattr_name(a.id) != NULL);
        FZ_CHECK((a.id == MW_XATTR_UNKNOWN) == (mw_xattr_field(a.id) == NULL));
        FZ_CHECK(!!(a.flags & MW_XATTR_F_UNKNOWN) == !mw_xattr_allowed(kind, a.id));
        for (unsigned i = 0; i < 32; i++)
            if (a.flags & (1u << i))
                FZ_CHECK(mw_xattr_flag_text(1u << i) != NULL);
        FZ_CHECK(memchr(a.addr_text, 0, sizeof a.addr_text) != NULL);
        if (a.addr_valid) {
            uint8_t bin[16];
            FZ_CHECK(a.addr_family == 4 || a.addr_family == 6);
            FZ_CHECK(a.addr_family == 4 ? mw_inaddr_parse4((const uint8_t *)a.addr_text, strlen(a.addr_text), bin)
                                        : mw_inaddr_parse6((const uint8_t *)a.addr_text, strlen(a.addr_text), bin));
            FZ_CHECK(memcmp(bin, a.addr, a.addr_family == 4 ? 4 : 16) == 0);
        }
    }
    FZ_CHECK(it.count == n && it.flags == flags);
    free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    mw_smtp_cmd cmd;
    if (mw_smtp_cmd_parse(b, size, &cmd)) {
        run(b, cmd.args.off, cmd.args.off + cmd.args.len, MW_XCLIENT);
        run(b, cmd.args.off, cmd.args.off + cmd.args.len, MW_XFORWARD);
    }
    run(b, 0, size, MW_XCLIENT);
    run(b, 0, size, MW_XFORWARD);
    uint8_t *out = malloc(size ? size : 1);
    unsigned flags;
    FZ_CHECK(mw_xtext_decode(b, size, out, &flags) <= size);
    FZ_CHECK((flags & ~7u) == 0);
    free(out);
    free(b);
    return 0;
}

/* Trace header fields: see trace.h. */
#include "core/mail/trace.h"

#include "core/mail/cfws.h"
#include "core/mail/message.h"

static const char *const kind_names[MW_TRACE_KINDS] = {
    "Received", "Authentication-Results", "ARC-Seal", "ARC-Message-Signature",
    "ARC-Authentication-Results", "Return-Path", "Delivered-To", "X-Original-To",
};

unsigned mw_trace_fields(const uint8_t *msg, size_t len, mw_trace_field *out, unsigned max)
{
    unsigned n = 0;
    size_t pos = 0;
    while (pos < len) {
        mw_hdr_field f;
        mw_hdr_status s = mw_hdr_next(msg, len, true, &pos, &f);
        if (s != MW_HDR_FIELD)
            break;
        for (int k = 0; k < MW_TRACE_KINDS; k++) {
            if (!mw_hdr_name_is(msg, f.name, kind_names[k]))
                continue;
            if (n < max)
                out[n] = (mw_trace_field){(mw_trace_kind)k, {f.name.off, f.end - f.name.off}, f.value};
            n++;
            break;
        }
    }
    return n;
}

bool mw_return_path(const uint8_t *v, size_t len, mw_span *addr)
{
    mw_lex l;
    mw_lex_init(&l, v, len);
    mw_lex_cfws(&l);
    size_t start, end;
    if (mw_lex_eat(&l, '<')) {
        start = l.pos;
        while (l.pos < len && v[l.pos] != '>')
            l.pos++;
        if (l.pos >= len)
            return false;
        end = l.pos;
        /* a source route "<@a,@b:u@d>" (RFC 5321 4.1.2 obs) */
        for (size_t i = start; i < end; i++)
            if (v[i] == ':' && v[start] == '@') {
                start = i + 1;
                break;
            }
    } else {
        start = l.pos;
        while (l.pos < len && v[l.pos] != ' ' && v[l.pos] != '\t' && v[l.pos] != '\r' &&
               v[l.pos] != '\n' && v[l.pos] != '(')
            l.pos++;
        end = l.pos;
        if (end == start)
            return false;
    }
    while (start < end && (v[start] == ' ' || v[start] == '\t'))
        start++;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
        end--;
    *addr = (mw_span){start, end - start};
    return true;
}

bool mw_addr_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        uint8_t x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (uint8_t)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (uint8_t)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* Streaming quoted-printable: see qp.h. */
#include "core/text/qp.h"

#include <string.h>

enum {
    ST_TEXT,   /* in a line */
    ST_CR,     /* after a CR in text: a line end if LF follows */
    ST_EQ,     /* after "=" */
    ST_EQ_HEX, /* after "=X" with X a hex digit */
    ST_EQ_WS,  /* after "=" and whitespace: a soft break if the line ends here */
    ST_EQ_CR,  /* after "=" [whitespace] CR */
};

static int hexval(uint8_t c, unsigned *flags)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') {
        *flags |= MW_QP_LOWER_HEX;
        return c - 'a' + 10;
    }
    return -1;
}

void mw_qp_stream_init(mw_qp_stream *s)
{
    memset(s, 0, sizeof *s);
}

static size_t flush_ws(mw_qp_stream *s, uint8_t *out)
{
    size_t n = s->nws;
    memcpy(out, s->ws, n);
    s->nws = 0;
    return n;
}

/* "=" and whitespace were not a soft break: they are text (the whitespace is
 * held again, it may still be trailing). */
static size_t eq_ws_is_text(mw_qp_stream *s, uint8_t *out)
{
    out[0] = '=';
    s->flags |= MW_QP_BAD_ESCAPE;
    s->state = ST_TEXT;
    return 1;
}

/* One byte in ST_TEXT. */
static size_t text_byte(mw_qp_stream *s, uint8_t c, uint8_t *out)
{
    size_t o = 0;
    if (c == ' ' || c == '\t') {
        if (s->nws == MW_QP_WS_HOLD)
            o += flush_ws(s, out);
        s->ws[s->nws++] = c;
        return o;
    }
    if (c == '\n') {
        if (s->nws)
            s->flags |= MW_QP_TRAILING_WS;
        s->nws = 0;
        s->flags |= MW_QP_BARE_LF;
        out[o++] = '\n';
        s->line = 0;
        return o;
    }
    if (c == '\r') {
        s->state = ST_CR;
        return 0;
    }
    o += flush_ws(s, out);
    if (c == '=') {
        s->state = ST_EQ;
        return o;
    }
    if (c < 32 || c > 126)
        s->flags |= MW_QP_BAD_CHAR;
    out[o++] = c;
    return o;
}

size_t mw_qp_stream_feed(mw_qp_stream *s, const uint8_t *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c != '\r' && c != '\n' && ++s->line == 77)
            s->flags |= MW_QP_LONG_LINE;
        switch (s->state) {
        case ST_TEXT:
            o += text_byte(s, c, out + o);
            break;
        case ST_CR:
            s->state = ST_TEXT;
            if (c == '\n') {
                if (s->nws)
                    s->flags |= MW_QP_TRAILING_WS;
                s->nws = 0;
                out[o++] = '\r';
                out[o++] = '\n';
                s->line = 0;
                break;
            }
            /* A bare CR is data. */
            s->flags |= MW_QP_BAD_CHAR;
            o += flush_ws(s, out + o);
            out[o++] = '\r';
            o += text_byte(s, c, out + o);
            break;
        case ST_EQ: {
            int h = hexval(c, &s->flags);
            if (h >= 0) {
                s->hex1 = c;
                s->state = ST_EQ_HEX;
            } else if (c == '\n') {
                s->state = ST_TEXT; /* soft break with a bare LF */
                s->flags |= MW_QP_BARE_LF;
                s->line = 0;
            } else if (c == '\r') {
                s->state = ST_EQ_CR;
            } else if (c == ' ' || c == '\t') {
                s->ws[s->nws++] = c; /* the hold is empty after "=" */
                s->state = ST_EQ_WS;
            } else {
                out[o++] = '=';
                s->flags |= MW_QP_BAD_ESCAPE;
                s->state = ST_TEXT;
                o += text_byte(s, c, out + o);
            }
            break;
        }
        case ST_EQ_HEX: {
            unsigned ignore = 0;
            int h = hexval(s->hex1, &ignore), l = hexval(c, &s->flags);
            s->state = ST_TEXT;
            if (l >= 0) {
                out[o++] = (uint8_t)(h << 4 | l);
            } else {
                out[o++] = '=';
                out[o++] = s->hex1;
                s->flags |= MW_QP_BAD_ESCAPE;
                o += text_byte(s, c, out + o);
            }
            break;
        }
        case ST_EQ_WS:
            if (c == ' ' || c == '\t') {
                if (s->nws < MW_QP_WS_HOLD)
                    s->ws[s->nws++] = c; /* past the hold it is padding either way */
                break;
            }
            if (c == '\n') {
                s->state = ST_TEXT;
                s->nws = 0;
                s->flags |= MW_QP_BARE_LF;
                s->line = 0;
            } else if (c == '\r') {
                s->nws = 0;
                s->state = ST_EQ_CR;
            } else {
                o += eq_ws_is_text(s, out + o);
                o += text_byte(s, c, out + o);
            }
            break;
        case ST_EQ_CR:
            s->state = ST_TEXT;
            if (c == '\n') {
                s->line = 0;
                break; /* soft line break */
            }
            out[o++] = '=';
            out[o++] = '\r';
            s->flags |= MW_QP_BAD_ESCAPE | MW_QP_BAD_CHAR;
            o += text_byte(s, c, out + o);
            break;
        }
    }
    return o;
}

size_t mw_qp_stream_end(mw_qp_stream *s, uint8_t *out)
{
    size_t o = 0;
    switch (s->state) {
    case ST_EQ_HEX:
        out[o++] = '=';
        out[o++] = s->hex1;
        s->flags |= MW_QP_BAD_ESCAPE;
        break;
    case ST_CR:
        o += flush_ws(s, out);
        out[o++] = '\r';
        s->flags |= MW_QP_BAD_CHAR;
        break;
    case ST_EQ_CR:
        out[o++] = '=';
        out[o++] = '\r';
        s->flags |= MW_QP_BAD_ESCAPE | MW_QP_BAD_CHAR;
        break;
    case ST_EQ_WS:
        s->nws = 0; /* "= " at the very end: a soft break and padding */
        break;
    default:
        break; /* "=" at the very end: a soft break */
    }
    /* Whitespace before the end of the body is trailing. */
    if (s->nws)
        s->flags |= MW_QP_TRAILING_WS;
    s->nws = 0;
    s->state = ST_TEXT;
    return o;
}

/* The SMTP session machine, part one: see smtp_session.h. */
#include "core/smtp/smtp_session.h"

#include <string.h>

void mw_smtp_replies_init(mw_smtp_replies *r)
{
    memset(r, 0, sizeof *r);
}

bool mw_smtp_replies_full(const mw_smtp_replies *r)
{
    return r->len == MW_SMTP_FIFO_SIZE;
}

bool mw_smtp_replies_command(mw_smtp_replies *r, uintptr_t tag, uint8_t verb)
{
    bool dropped = false;
    if (r->len == MW_SMTP_FIFO_SIZE) {
        r->head = (uint8_t)((r->head + 1) % MW_SMTP_FIFO_SIZE);
        r->len--;
        dropped = true;
    }
    mw_smtp_pending *p = &r->fifo[(r->head + r->len) % MW_SMTP_FIFO_SIZE];
    p->tag = tag;
    p->verb = verb;
    r->len++;
    return dropped;
}

mw_smtp_pending mw_smtp_replies_newest(const mw_smtp_replies *r)
{
    mw_smtp_pending none = {0, MW_SMTP_UNKNOWN};
    return r->len ? r->fifo[(r->head + r->len - 1) % MW_SMTP_FIFO_SIZE] : none;
}

mw_smtp_pending mw_smtp_replies_oldest(const mw_smtp_replies *r)
{
    mw_smtp_pending none = {0, MW_SMTP_UNKNOWN};
    return r->len ? r->fifo[r->head] : none;
}

static mw_smtp_pending pop(mw_smtp_replies *r)
{
    mw_smtp_pending p = mw_smtp_replies_oldest(r);
    if (r->len) {
        r->head = (uint8_t)((r->head + 1) % MW_SMTP_FIFO_SIZE);
        r->len--;
    }
    return p;
}

void mw_smtp_replies_line(mw_smtp_replies *r, const uint8_t *line, size_t len, bool fragment,
                          uintptr_t tag, bool body_open, mw_smtp_reply_rec *out)
{
    memset(out, 0, sizeof *out);
    /* After lost bytes the line may still start cleanly: try it. */
    out->parsed = !fragment && mw_smtp_reply_parse(line, len, &out->reply);
    if (!r->open) {
        r->open = true;
        r->tag = tag;
        r->lines = 0;
        r->code = out->parsed ? (uint16_t)out->reply.code : 0;
        r->cmd.tag = 0;
        r->cmd.verb = MW_SMTP_UNKNOWN;
        /* 554 and 421 are greetings too: a server refusing the session */
        r->greeting = !r->greeted && out->parsed &&
                      (out->reply.code == 220 || out->reply.code == 554 || out->reply.code == 421);
        if (r->greeting)
            r->greeted = true;
        else
            r->cmd = mw_smtp_replies_oldest(r);
        out->opens = true;
    }
    r->lines++;
    out->line_no = r->lines;
    out->code = r->code;
    out->tag = r->tag;
    out->greeting = r->greeting;
    out->cmd = r->cmd;
    if (!out->parsed) {
        if (r->lines == 1) {
            /* nothing to group: wait for a real reply */
            r->open = false;
            out->abandoned = true;
        }
        return;
    }
    out->code_changed = r->code && out->reply.code != r->code;
    if (out->reply.more)
        return;

    /* The final line: the reply is complete. */
    out->final = true;
    r->open = false;
    if (r->greeting)
        return;
    if (!r->len && body_open) {
        out->in_body = true;
        return;
    }
    mw_smtp_pending c = pop(r);
    out->popped = c.tag;
    if (c.tag && !out->cmd.tag)
        out->cmd = c;
    if (!c.tag)
        out->unmatched = true;
}

void mw_smtp_replies_gap(mw_smtp_replies *r)
{
    r->open = false;
}

void mw_smtp_replies_restart(mw_smtp_replies *r)
{
    r->len = 0;
    r->open = false;
}

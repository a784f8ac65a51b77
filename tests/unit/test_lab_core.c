/* The core against the lab's real messages (captures/lab): the MIME walk of
 * mixed-attachments.eml checked against every value of its facts file
 * (types, file names, encodings, sizes and hashes of each leaf, written by
 * the lab's own generator), and the DKIM checks of the lab's python3-dkim
 * messages with the keys file, against the verdicts of their facts. */
#include "check.h"
#include "check_data.h"
#include "core/mail/digest.h"
#include "core/mail/dkim.h"
#include "core/mail/dkim_key.h"
#include "core/mail/mime.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))

static char *slurp(const char *rel, size_t *len)
{
    return check_slurp(MW_LAB_DIR, rel, len);
}

/* The IMAP section number of each part ("1.2.2"); "" for the message. */
static void sections(const mw_mime_message *m, char (*sec)[32])
{
    for (unsigned i = 0; i < m->n_parts; i++)
        mw_mime_part_section(m, i, sec[i], 32);
}

static const char *cte_name(const mw_mime_part *p)
{
    return p->cte_name ? p->cte_name : "7bit";
}

static void hex_eq(const uint8_t *p, size_t n, const char *want, const char *what, const char *sec)
{
    char label[96];
    snprintf(label, sizeof label, "part %s: %s", sec, what);
    check_hex(p, n, want, label);
}

static void test_mixed_attachments(void)
{
    size_t len, flen;
    char *msg = slurp("messages/mixed-attachments.eml", &len);
    char *facts = slurp("mixed/mixed-smtp-imap-pop-attachments.facts", &flen);
    mw_mime_message m;
    mw_mime_walk(B(msg), len, NULL, &m);
    CHECK_EQ_INT(m.flags, 0);
    char (*sec)[32] = g_malloc(sizeof *sec * m.n_parts);
    sections(&m, sec);
    unsigned rows = 0;
    gchar **lines = g_strsplit(facts, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "message mixed-attachments.eml")) {
            gchar **f = g_strsplit(*l, " | ", -1);
            CHECK(g_strv_length(f) == 5 && g_str_has_prefix(f[4], "sha256 "));
            hex_eq(m.sha256, 32, f[4] + 7, "message sha256", "-");
            g_strfreev(f);
            continue;
        }
        if (!g_str_has_prefix(*l, "part "))
            continue;
        /* part | type | disposition | name | encoding | encoded | decoded | md5 | sha1 | sha256 | file */
        gchar **f = g_strsplit(*l, " | ", -1);
        CHECK_EQ_INT(g_strv_length(f), 11);
        const char *want_sec = f[0] + 5;
        const mw_mime_part *p = NULL;
        for (unsigned i = 0; i < m.n_parts; i++)
            if (strcmp(sec[i], want_sec) == 0 && !m.parts[i].multipart)
                p = &m.parts[i];
        CHECK(p != NULL);
        if (p) {
            char *type = g_strdup_printf("%s/%s", p->type, p->subtype);
            CHECK(strcmp(type, f[1]) == 0);
            g_free(type);
            CHECK(strcmp(p->disposition.value ? p->disposition.value : "-", f[2]) == 0);
            CHECK(strcmp(p->filename ? p->filename : "-", f[3]) == 0);
            CHECK(strcmp(cte_name(p), f[4]) == 0);
            CHECK_EQ_INT(p->encoded_size, g_ascii_strtoull(f[5], NULL, 10));
            CHECK_EQ_INT(p->decoded_size, g_ascii_strtoull(f[6], NULL, 10));
            hex_eq(p->md5, 16, f[7], "md5", want_sec);
            hex_eq(p->sha1, 20, f[8], "sha1", want_sec);
            hex_eq(p->sha256, 32, f[9], "sha256", want_sec);
            CHECK_EQ_INT(p->flags & ~(unsigned)MW_PART_ATTACHMENT, 0);
            CHECK_EQ_INT(!!(p->flags & MW_PART_ATTACHMENT), strcmp(f[2], "attachment") == 0 || strcmp(f[3], "-") != 0);
            /* The decoded bytes are the file the generator wrote. */
            char *rel = g_build_filename("messages", f[10], NULL);
            size_t fl;
            char *file = slurp(rel, &fl);
            size_t dl;
            uint8_t *dec = mw_mime_part_decoded(B(msg), p, &dl);
            CHECK(dl == fl && memcmp(dec, file, fl) == 0);
            g_free(dec);
            g_free(file);
            g_free(rel);
        }
        rows++;
        g_strfreev(f);
    }
    CHECK_EQ_INT(rows, 10);
    g_strfreev(lines);
    g_free(sec);
    mw_mime_message_clear(&m);
    g_free(msg);
    g_free(facts);
}

typedef struct keyring {
    char *name[8];
    mw_dkim_key key[8];
    unsigned n;
} keyring;

static void load_keys(keyring *kr)
{
    size_t len;
    char *text = slurp("dkim/dkim.keys", &len);
    gchar **lines = g_strsplit(text, "\n", -1);
    kr->n = 0;
    for (gchar **l = lines; *l && kr->n < 8; l++) {
        mw_span name;
        GByteArray *txt = g_byte_array_new();
        if (mw_dkim_keys_line(B(*l), strlen(*l), &name, txt)) {
            kr->name[kr->n] = g_strndup(*l + name.off, name.len);
            CHECK(mw_dkim_key_parse(txt->data, txt->len, &kr->key[kr->n]));
            kr->n++;
        }
        g_byte_array_unref(txt);
    }
    CHECK_EQ_INT(kr->n, 3);
    g_strfreev(lines);
    g_free(text);
}

static const mw_dkim_key *find_key(const keyring *kr, const char *name)
{
    for (unsigned k = 0; k < kr->n; k++)
        if (g_ascii_strcasecmp(kr->name[k], name) == 0)
            return &kr->key[k];
    return NULL;
}

/* Verdicts from dkim-smtp-valid.facts, dkim-smtp-tampered.facts and
 * dkim-smtp-weak.facts. */
static const struct {
    const char *name;
    unsigned sig;
    const char *selector;
    bool body_ok;
    mw_dkim_verdict over_headers;
    uint64_t unsigned_len;
    uint64_t canon_len; /* 0: not stated */
} dkim_rows[] = {
    {"dkim-rsa-relaxed", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-rsa-simple", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-ed25519", 0, "ed2026", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-dual", 0, "ed2026", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-dual", 1, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-body-edges-simple", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 184},
    {"dkim-body-edges-relaxed", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 174},
    {"dkim-body-altered", 0, "rsa2026", false, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-length-appended", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 84, 177},
    {"dkim-header-altered", 0, "rsa2026", true, MW_DKIM_SIG_FAIL, 0, 0},
    /* dkim-smtp-weak.facts: the signatures themselves verify (what a
     * verifier makes of rsa-sha1, a short key or x= is the dissector's:
     * tests/dissect/dkim-smtp-weak.assert). */
    {"dkim-weak-sha1", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-weak-short-key", 0, "rsa768", true, MW_DKIM_SIG_PASS, 0, 0},
    {"dkim-expired", 0, "rsa2026", true, MW_DKIM_SIG_PASS, 0, 0},
};

static void test_dkim_messages(void)
{
    keyring kr;
    load_keys(&kr);
    for (size_t k = 0; k < sizeof dkim_rows / sizeof dkim_rows[0]; k++) {
        char *rel = g_strdup_printf("messages/%s.eml", dkim_rows[k].name);
        size_t len;
        char *msg = slurp(rel, &len);
        mw_dkim_result r[4];
        unsigned n = mw_dkim_check_message(B(msg), len, r, 4);
        CHECK(n > dkim_rows[k].sig);
        const mw_dkim_result *x = &r[dkim_rows[k].sig];
        char *kn = mw_dkim_key_name(B(msg) + x->value.off, &x->sig);
        char *want_kn = g_strdup_printf("%s._domainkey.lab.test", dkim_rows[k].selector);
        CHECK(kn && strcmp(kn, want_kn) == 0);
        CHECK(x->parsed_ok);
        CHECK_EQ_INT(x->body_ok, dkim_rows[k].body_ok);
        CHECK_EQ_INT(x->unsigned_len, dkim_rows[k].unsigned_len);
        if (dkim_rows[k].canon_len)
            CHECK_EQ_INT(x->body_canon_len, dkim_rows[k].canon_len);
        const mw_dkim_key *key = find_key(&kr, want_kn);
        CHECK(key != NULL);
        const char *why;
        if (key) {
            mw_dkim_verdict v = mw_dkim_verify(x, key, &why);
            if (v != dkim_rows[k].over_headers)
                fprintf(stderr, "%s sig %u: verdict %d (%s)\n", dkim_rows[k].name, dkim_rows[k].sig, v, why);
            CHECK_EQ_INT(v, dkim_rows[k].over_headers);
        }
        g_free(kn);
        g_free(want_kn);
        g_free(msg);
        g_free(rel);
    }
    for (unsigned k = 0; k < kr.n; k++) {
        g_free(kr.name[k]);
        mw_dkim_key_clear(&kr.key[k]);
    }
}

static void test_keys_lines(void)
{
    const char *rows[] = {
        "sel._domainkey.example.net. 300 IN TXT \"v=DKIM1; k=rsa; \" \"p=QU\\\"JD\"",
        "# comment",
        "",
        "sel._domainkey.example.net A 192.0.2.1",
        "a._domainkey.b TXT v=DKIM1;p=",
    };
    mw_span name;
    GByteArray *txt = g_byte_array_new();
    CHECK(mw_dkim_keys_line(B(rows[0]), strlen(rows[0]), &name, txt));
    CHECK_SPAN(rows[0] + name.off, name.len, "sel._domainkey.example.net");
    CHECK_SPAN((const char *)txt->data, txt->len, "v=DKIM1; k=rsa; p=QU\"JD");
    g_byte_array_set_size(txt, 0);
    for (int k = 1; k < 4; k++)
        CHECK(!mw_dkim_keys_line(B(rows[k]), strlen(rows[k]), &name, txt));
    CHECK(mw_dkim_keys_line(B(rows[4]), strlen(rows[4]), &name, txt));
    CHECK_SPAN((const char *)txt->data, txt->len, "v=DKIM1;p=");
    g_byte_array_set_size(txt, 0);
    const char *open = "k._domainkey.d TXT \"unterminated";
    CHECK(mw_dkim_keys_line(B(open), strlen(open), &name, txt));
    CHECK_SPAN((const char *)txt->data, txt->len, "unterminated");
    g_byte_array_unref(txt);
}

int main(void)
{
    test_mixed_attachments();
    test_dkim_messages();
    test_keys_lines();
    return CHECK_DONE();
}

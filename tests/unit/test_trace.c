/* Trace header parsers: Authentication-Results (RFC 8601, its appendix B
 * examples among them), ARC fields and chain structure (RFC 8617),
 * Received clauses and TLS hints (RFC 5321 4.4, real servers' forms), RFC
 * 5322 dates, the trace field scan and Return-Path. */
#include <stdlib.h>

#include "check.h"
#include "core/mail/arc.h"
#include "core/mail/authres.h"
#include "core/mail/cfws.h"
#include "core/mail/received.h"
#include "core/mail/trace.h"

#define S(x) ((const uint8_t *)(x)), strlen(x)
#define SPAN(v, sp, want) CHECK_SPAN((const char *)(v) + (sp).off, (sp).len, want)

static mw_ar_method M[16];

static unsigned ar(const char *v, bool arc, mw_authres *a, bool *ok)
{
    *ok = mw_authres_parse(S(v), arc, a, M, 16);
    return a->n_methods;
}

static void test_ar_rfc8601_examples(void)
{
    mw_authres a;
    bool ok;
    /* B.2: nothing done */
    const char *v = "example.org 1; none";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 0);
    CHECK(ok && a.none);
    SPAN(v, a.authserv_id, "example.org");
    SPAN(v, a.version, "1");

    /* B.3: one method, a comment after the result */
    v = "example.com;\r\n                  spf=pass smtp.mailfrom=example.net";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(ok);
    SPAN(v, a.authserv_id, "example.com");
    SPAN(v, M[0].method, "spf");
    SPAN(v, M[0].result, "pass");
    CHECK_EQ_INT(M[0].n_props, 1);
    SPAN(v, M[0].props[0].ptype, "smtp");
    SPAN(v, M[0].props[0].property, "mailfrom");
    SPAN(v, M[0].props[0].value, "example.net");

    /* B.4: several methods, comments and a local-part@domain value */
    v = "example.com;\r\n"
        "                  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
        "                  spf=pass smtp.mailfrom=example.net";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 2);
    CHECK(ok);
    SPAN(v, M[0].method, "auth");
    SPAN(v, M[0].comment, "cram-md5");
    SPAN(v, M[0].props[0].value, "sender@example.net");
    SPAN(v, M[1].method, "spf");

    /* B.5 / B.6: dkim with header.i, sender-id with a quoted reason */
    v = "mail-router.example.net;\r\n"
        "            dkim=pass (good signature) header.d=newyork.example.com\r\n"
        "                  header.b=oINEO8hg;\r\n"
        "            dkim=fail (bad signature) header.d=newyork.example.com\r\n"
        "                  header.b=EToRSuvU";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 2);
    CHECK(ok);
    SPAN(v, M[0].comment, "good signature");
    CHECK_EQ_INT(M[0].n_props, 2);
    const mw_ar_prop *p = mw_ar_prop_find((const uint8_t *)v, &M[0], "header", "d");
    CHECK(p != NULL);
    if (p)
        SPAN(v, p->value, "newyork.example.com");
    SPAN(v, M[1].result, "fail");
    p = mw_ar_prop_find((const uint8_t *)v, &M[1], "HEADER", "B");
    CHECK(p != NULL);
    if (p)
        SPAN(v, p->value, "EToRSuvU");

    v = "example.com; sender-id=fail header.from=example.com; dkim=pass (good signature) "
        "header.d=sub.example.com; reason=\"no key\"";
    /* reason after a ';' is not a resinfo: that resinfo is junk, the others stand */
    CHECK_EQ_INT(ar(v, false, &a, &ok), 3);
    CHECK(!ok && (M[2].flags & MW_AR_SYNTAX));
    SPAN(v, M[0].method, "sender-id");
    SPAN(v, M[1].result, "pass");

    /* B.4: iprev with a policy property, folded */
    v = "example.com; iprev=pass\r\n          policy.iprev=192.0.2.200";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(ok);
    SPAN(v, M[0].method, "iprev");
    SPAN(v, M[0].props[0].ptype, "policy");
    SPAN(v, M[0].props[0].value, "192.0.2.200");

    /* B.5: SMTP AUTH and SPF in one field, Sender ID and DKIM in another */
    v = "example.com;\r\n                  auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
        "                  spf=fail smtp.mailfrom=example.com";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 2);
    CHECK(ok);
    SPAN(v, M[1].result, "fail");
    v = "example.com;\r\n                  sender-id=fail header.from=example.com;\r\n"
        "                  dkim=pass (good signature) header.d=example.com";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 2);
    CHECK(ok);
    SPAN(v, M[0].method, "sender-id");
    SPAN(v, M[0].props[0].value, "example.com");
    SPAN(v, M[1].comment, "good signature");

    /* B.7: comments everywhere, a version, a method version */
    v = "foo.example.net (foobar) 1 (baz);\r\n"
        "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
        "      policy (A dot can go here) . (like that) expired\r\n"
        "      (this surprised me) = (as I wasn't expecting it) 1362471462";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(ok);
    SPAN(v, a.authserv_id, "foo.example.net");
    SPAN(v, a.version, "1");
    SPAN(v, M[0].method, "dkim");
    SPAN(v, M[0].version, "1");
    SPAN(v, M[0].result, "fail");
    CHECK_EQ_INT(M[0].n_props, 1);
    SPAN(v, M[0].props[0].ptype, "policy");
    SPAN(v, M[0].props[0].property, "expired");
    SPAN(v, M[0].props[0].value, "1362471462");

    /* a reason, quoted, and a method version */
    v = "mx.example.org; dkim/1=neutral reason=\"bad \\\"format\\\"\" header.i=@example.com";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(ok);
    SPAN(v, M[0].method, "dkim");
    SPAN(v, M[0].version, "1");
    SPAN(v, M[0].reason, "bad \\\"format\\\"");
    SPAN(v, M[0].props[0].value, "@example.com");
}

static void test_ar_real_and_broken(void)
{
    mw_authres a;
    bool ok;
    /* as a large provider writes it: comments with parentheses nested,
     * base64 header.b, spf with a long comment, dmarc with policy props */
    const char *v =
        "mx.google.com;\r\n"
        "       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab+c/9=;\r\n"
        "       spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as permitted "
        "sender (really)) smtp.mailfrom=a@example.com;\r\n"
        "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 3);
    CHECK(ok);
    SPAN(v, M[0].props[2].value, "Ab+c/9=");
    SPAN(v, M[1].method, "spf");
    SPAN(v, M[1].props[0].value, "a@example.com");
    SPAN(v, M[2].comment, "p=NONE sp=NONE dis=NONE");
    SPAN(v, M[2].props[0].property, "from");

    /* quoted authserv-id, comment before it */
    v = "(checked by) \"mx one\"; dkim=fail";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(ok);
    SPAN(v, a.authserv_id, "mx one");

    /* no authserv-id */
    v = "; dkim=pass";
    ar(v, false, &a, &ok);
    CHECK(!ok && (a.flags & MW_AR_NO_AUTHSERV));
    CHECK_EQ_INT(a.n_methods, 1);

    /* junk in one method, the next still parsed */
    v = "mx; dkim pass; spf=fail";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 2);
    CHECK(!ok && (M[0].flags & MW_AR_SYNTAX));
    SPAN(v, M[1].method, "spf");
    SPAN(v, M[1].result, "fail");

    /* unterminated comment */
    v = "mx; dkim=pass (oops header.d=x";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(a.flags & MW_AR_UNTERMINATED);

    /* more methods than room: counted */
    mw_ar_method two[2];
    v = "mx; a=pass; b=pass; c=pass; d=fail";
    mw_authres_parse(S(v), false, &a, two, 2);
    CHECK_EQ_INT(a.n_methods, 2);
    CHECK_EQ_INT(a.methods_total, 4);
    CHECK(a.flags & MW_AR_TOO_MANY);

    /* more properties than recorded */
    v = "mx; dkim=pass a.a=1 a.b=2 a.c=3 a.d=4 a.e=5 a.f=6 a.g=7 a.h=8 a.i=9 a.j=10";
    ar(v, false, &a, &ok);
    CHECK_EQ_INT(M[0].n_props, MW_AR_MAX_PROPS);
    CHECK_EQ_INT(M[0].props_total, 10);

    /* empty resinfo and trailing ';' */
    v = "mx; ; dkim=pass;";
    CHECK_EQ_INT(ar(v, false, &a, &ok), 1);
    CHECK(ok);

    /* a NUL byte does not stop progress */
    const uint8_t nul[] = {'m', 'x', ';', ' ', 0, '=', ';', 'a', '=', 'b'};
    mw_authres_parse(nul, sizeof nul, false, &a, M, 16);
    CHECK_EQ_INT(a.methods_total, 2);
}

static void test_arc_ar(void)
{
    mw_authres a;
    bool ok;
    const char *v = "i=2; lists.example.org;\r\n spf=pass smtp.mailfrom=jqd@d1.example;\r\n"
                    " dkim=pass (1024-bit key) header.i=@d1.example;\r\n dmarc=pass";
    CHECK_EQ_INT(ar(v, true, &a, &ok), 3);
    CHECK(ok && a.has_instance);
    CHECK_EQ_INT(a.instance, 2);
    SPAN(v, a.authserv_id, "lists.example.org");
    SPAN(v, M[1].comment, "1024-bit key");

    v = "lists.example.org; dkim=pass";
    ar(v, true, &a, &ok);
    CHECK(!ok && (a.flags & MW_AR_NO_INSTANCE) && !a.has_instance);
    CHECK_EQ_INT(a.n_methods, 1);
    SPAN(v, a.authserv_id, "lists.example.org");
    v = "i=x; mx; dkim=pass";
    ar(v, true, &a, &ok);
    CHECK(!ok && (a.flags & MW_AR_NO_INSTANCE));
    SPAN(v, a.authserv_id, "mx");
}

static void arcf(const char *v, mw_arc_kind k, mw_arc_field *f)
{
    mw_arc_parse(S(v), k, f);
}

static void test_arc_fields(void)
{
    mw_arc_field f;
    const char *v = "i=1; a=rsa-sha256; t=1712345678; cv=none;\r\n d=example.org; s=arc-2024;\r\n"
                    " b=AbCd\r\n EfGh==";
    CHECK(mw_arc_parse(S(v), MW_ARC_SEAL, &f));
    CHECK_EQ_INT(f.instance, 1);
    CHECK_EQ_INT(f.cv_value, MW_ARC_CV_NONE);
    SPAN(v, f.d, "example.org");
    SPAN(v, f.s, "arc-2024");
    SPAN(v, f.a, "rsa-sha256");

    v = "i = 3 ; cv = Pass ; d = x.example";
    CHECK(mw_arc_parse(S(v), MW_ARC_SEAL, &f));
    CHECK_EQ_INT(f.instance, 3);
    CHECK_EQ_INT(f.cv_value, MW_ARC_CV_PASS);

    v = "i=51; cv=pass";
    CHECK(!mw_arc_parse(S(v), MW_ARC_SEAL, &f));
    CHECK(f.flags & MW_ARC_NO_INSTANCE);
    v = "i=x; cv=maybe";
    CHECK(!mw_arc_parse(S(v), MW_ARC_SEAL, &f));
    CHECK_EQ_INT(f.cv_value, MW_ARC_CV_OTHER);
    v = "i=1; junk; d=a";
    CHECK(!mw_arc_parse(S(v), MW_ARC_MSG_SIG, &f));
    CHECK(f.flags & MW_ARC_SYNTAX);
    v = "i=1; d=a; d=b";
    mw_arc_parse(S(v), MW_ARC_MSG_SIG, &f);
    CHECK(f.flags & MW_ARC_DUP_TAG);
}

static void test_arc_chain(void)
{
    mw_arc_field f[9];
    mw_arc_chain c;
    /* a sound chain of two sets, newest first as in a header block */
    arcf("i=2; cv=pass; d=b", MW_ARC_SEAL, &f[0]);
    arcf("i=2; d=b", MW_ARC_MSG_SIG, &f[1]);
    f[2] = (mw_arc_field){.kind = MW_ARC_AUTH_RESULTS, .instance = 2};
    arcf("i=1; cv=none; d=a", MW_ARC_SEAL, &f[3]);
    arcf("i=1; d=a", MW_ARC_MSG_SIG, &f[4]);
    f[5] = (mw_arc_field){.kind = MW_ARC_AUTH_RESULTS, .instance = 1};
    mw_arc_chain_check(f, 6, &c);
    CHECK_EQ_INT(c.sets, 2);
    CHECK_EQ_INT(c.status, MW_ARC_STATUS_PASS);
    CHECK_EQ_INT(c.flags, 0);

    /* the newest seal says fail */
    arcf("i=2; cv=fail; d=b", MW_ARC_SEAL, &f[0]);
    mw_arc_chain_check(f, 6, &c);
    CHECK_EQ_INT(c.status, MW_ARC_STATUS_FAIL);
    CHECK(c.flags & MW_ARC_CHAIN_CV_FAIL);
    CHECK_EQ_INT(c.first_bad, 2);

    /* a set missing its message signature */
    arcf("i=2; cv=pass; d=b", MW_ARC_SEAL, &f[0]);
    mw_arc_chain_check(f + 2, 4, &c); /* AAR 2, AS 1, AMS 1, AAR 1 */
    CHECK(c.flags & MW_ARC_CHAIN_MISSING);
    CHECK_EQ_INT(c.first_bad, 2);

    /* instances 1 and 3: a gap at 2 */
    arcf("i=3; cv=pass; d=c", MW_ARC_SEAL, &f[6]);
    arcf("i=3; d=c", MW_ARC_MSG_SIG, &f[7]);
    f[8] = (mw_arc_field){.kind = MW_ARC_AUTH_RESULTS, .instance = 3};
    mw_arc_field g[6] = {f[6], f[7], f[8], f[3], f[4], f[5]};
    mw_arc_chain_check(g, 6, &c);
    CHECK(c.flags & MW_ARC_CHAIN_GAP);
    CHECK_EQ_INT(c.sets, 3);
    CHECK_EQ_INT(c.status, MW_ARC_STATUS_FAIL);

    /* the first seal must say none; a set twice */
    arcf("i=1; cv=pass; d=a", MW_ARC_SEAL, &g[0]);
    arcf("i=1; d=a", MW_ARC_MSG_SIG, &g[1]);
    arcf("i=1; d=a", MW_ARC_MSG_SIG, &g[2]);
    g[3] = (mw_arc_field){.kind = MW_ARC_AUTH_RESULTS, .instance = 1};
    mw_arc_chain_check(g, 4, &c);
    CHECK(c.flags & MW_ARC_CHAIN_BAD_CV);
    CHECK(c.flags & MW_ARC_CHAIN_DUP);

    mw_arc_chain_check(g, 0, &c);
    CHECK_EQ_INT(c.status, MW_ARC_STATUS_NONE);
}

static void rcv(const char *v, mw_received *r)
{
    mw_received_parse(S(v), r);
}

static void test_received(void)
{
    mw_received r;
    /* Postfix after STARTTLS, folded, with its TLS comment */
    const char *v =
        "from mail.example.org (mail.example.org [192.0.2.10])\r\n"
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
        "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n"
        "\t(No client certificate requested)\r\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4Qx7Kd1LmVz9sR\r\n"
        "\tfor <bob@example.net>; Sun,  6 Dec 2026 10:00:00 +0000 (UTC)";
    rcv(v, &r);
    SPAN(v, r.clause[MW_RCV_FROM], "mail.example.org");
    SPAN(v, r.info[MW_RCV_FROM], "mail.example.org [192.0.2.10]");
    SPAN(v, r.clause[MW_RCV_BY], "mx.example.net");
    SPAN(v, r.info[MW_RCV_BY], "Postfix");
    SPAN(v, r.clause[MW_RCV_WITH], "ESMTPS");
    SPAN(v, r.clause[MW_RCV_ID], "4Qx7Kd1LmVz9sR");
    SPAN(v, r.clause[MW_RCV_FOR], "<bob@example.net>");
    SPAN(v, r.date, "Sun,  6 Dec 2026 10:00:00 +0000 (UTC)");
    CHECK(r.time_ok);
    CHECK_EQ_INT(r.time, 1796551200);
    CHECK(r.flags & MW_RCV_TLS);
    CHECK(!(r.flags & MW_RCV_AUTH));
    /* the comment says more than the with value */
    CHECK_SPAN((const char *)v + r.tls.off, 13, "using TLSv1.3");

    /* Postfix local submission: no from clause, a comment with "from" */
    v = "by mail.example.org (Postfix, from userid 1000)\r\n\tid 9C1F2A0; Thu, 5 Dec 2024 "
        "09:15:02 -0800 (PST)";
    rcv(v, &r);
    CHECK_EQ_INT(r.clause[MW_RCV_FROM].len, 0);
    SPAN(v, r.clause[MW_RCV_BY], "mail.example.org");
    SPAN(v, r.clause[MW_RCV_ID], "9C1F2A0");
    CHECK(r.time_ok);
    CHECK_EQ_INT(r.time, 1733418902);
    CHECK(!(r.flags & (MW_RCV_TLS | MW_RCV_STRAY)));

    /* Exim, authenticated over TLS */
    v = "from [198.51.100.7] (helo=laptop)\r\n\tby smtp.example.com with esmtpsa  (TLS1.3) "
        "tls TLS_AES_128_GCM_SHA256\r\n\t(Exim 4.96)\r\n\t(envelope-from <a@example.com>)\r\n"
        "\tid 1rABCD-000123-4Z\r\n\tfor c@example.net;\r\n\tMon, 01 Jan 2024 12:00:00 +0100";
    rcv(v, &r);
    SPAN(v, r.clause[MW_RCV_FROM], "[198.51.100.7]");
    SPAN(v, r.clause[MW_RCV_WITH], "esmtpsa");
    SPAN(v, r.clause[MW_RCV_ID], "1rABCD-000123-4Z");
    SPAN(v, r.clause[MW_RCV_FOR], "c@example.net");
    CHECK(r.flags & MW_RCV_TLS);
    CHECK(r.flags & MW_RCV_AUTH);
    SPAN(v, r.tls, "TLS1.3");
    CHECK(r.time_ok);
    CHECK_EQ_INT(r.time, 1704106800);
    /* the protocol alone */
    v = "from a by b with LMTPS id 1; 1 Jan 2024 00:00:00 +0000";
    rcv(v, &r);
    SPAN(v, r.tls, "LMTPS");
    CHECK(!(r.flags & MW_RCV_AUTH));

    /* Exchange: a with value of several words, a via clause */
    v = "from EX1.corp.example (10.0.0.1) by EX2.corp.example (10.0.0.2) with Microsoft SMTP "
        "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7 via "
        "Frontend Transport; Tue, 2 Jan 2024 03:04:05 +0000";
    rcv(v, &r);
    SPAN(v, r.clause[MW_RCV_WITH], "Microsoft SMTP Server");
    SPAN(v, r.clause[MW_RCV_VIA], "Frontend Transport");
    SPAN(v, r.clause[MW_RCV_ID], "15.20.7");
    CHECK(r.flags & MW_RCV_TLS);
    SPAN(v, r.tls, "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    /* plain ESMTP: no TLS; "TLS" inside a host name is no hint */
    v = "from hostTLS.example by mx with ESMTP id 1; 1 Jan 2024 00:00 GMT";
    rcv(v, &r);
    CHECK(!(r.flags & MW_RCV_TLS));
    CHECK(r.time_ok);
    CHECK_EQ_INT(r.time, 1704067200);

    /* no date; stray words; a clause twice */
    v = "junk from a by b from c";
    rcv(v, &r);
    CHECK(r.flags & MW_RCV_NO_DATE);
    CHECK(r.flags & MW_RCV_STRAY);
    CHECK(r.flags & MW_RCV_DUP);
    SPAN(v, r.clause[MW_RCV_FROM], "a");
    /* a ';' inside a comment is not the date separator */
    v = "from a (x; y) by b; 2 Jan 2024 00:00:00 +0000";
    rcv(v, &r);
    SPAN(v, r.info[MW_RCV_FROM], "x; y");
    CHECK(r.time_ok);
    v = "from a by b; yesterday";
    rcv(v, &r);
    CHECK(r.flags & MW_RCV_BAD_DATE);
    /* "for" as the value of for */
    v = "by b for for@example.org; 2 Jan 2024 00:00:00 +0000";
    rcv(v, &r);
    SPAN(v, r.clause[MW_RCV_FOR], "for@example.org");
    /* unterminated comment */
    v = "from a (oops by b";
    rcv(v, &r);
    CHECK(r.flags & MW_RCV_UNTERMINATED);
}

static void test_dates_and_chain(void)
{
    int64_t t;
    CHECK(mw_date_parse(S("Thu, 1 Jan 1970 00:00:00 +0000"), &t) && t == 0);
    CHECK(mw_date_parse(S("1 Jan 1970 01:00:00 +0100"), &t) && t == 0);
    CHECK(mw_date_parse(S("Wed, 31 Dec 1969 19:00:00 EST"), &t) && t == 0);
    CHECK(mw_date_parse(S("Thu, 29 Feb 2024 23:59:60 -0000"), &t) && t == 1709251200);
    CHECK(mw_date_parse(S("Fri, 21 Nov 97 09:55:06 -0600"), &t) && t == 880127706);
    CHECK(mw_date_parse(S("Fri, 21 Nov 097 09:55:06 -0600"), &t) && t == 880127706);
    CHECK(mw_date_parse(S("Thu,\r\n 13\r\n   Feb\r\n   1969\r\n 23:32\r\n  -0330 (Newfoundland Time)"),
                        &t) && t == -27723480 + 0);
    CHECK(mw_date_parse(S("6 Dec 2026 10:00 Z"), &t));
    CHECK(!mw_date_parse(S("6 Dex 2026 10:00:00 +0000"), &t));
    CHECK(!mw_date_parse(S("6 Dec 2026 25:00:00 +0000"), &t));
    CHECK(!mw_date_parse(S("6 Dec 2026 10:00:00 +0000 junk"), &t));
    CHECK(!mw_date_parse(S("6 Dec 2026 10:00:00 XYZ"), &t));
    CHECK(!mw_date_parse(S(""), &t));

    mw_received newer, older;
    int64_t by = 0;
    rcv("by b; Sun, 6 Dec 2026 10:00:00 +0000", &newer);
    rcv("by a; Sun, 6 Dec 2026 10:05:00 +0000", &older);
    CHECK(mw_received_backwards(&newer, &older, &by));
    CHECK_EQ_INT(by, 300);
    CHECK(!mw_received_backwards(&older, &newer, &by));
    rcv("by a; Sun, 6 Dec 2026 11:04:00 +0100", &older); /* 10:04 UTC */
    CHECK(mw_received_backwards(&newer, &older, &by) && by == 240);
    rcv("by a", &older);
    CHECK(!mw_received_backwards(&newer, &older, &by));
}

static void test_scan_and_paths(void)
{
    const char *m = "Return-Path: <bounce@example.org>\r\n"
                    "Delivered-To: bob@example.net\r\n"
                    "Received: from a by b; 1 Jan 2024 00:00:00 +0000\r\n"
                    "ARC-Seal: i=1; cv=none\r\n"
                    "authentication-results: mx; dkim=pass\r\n"
                    "Subject: x\r\n"
                    "Received: from c\r\n by d; 1 Jan 2024 00:00:00 +0000\r\n"
                    "X-Original-To: bob@example.net\r\n"
                    "\r\n"
                    "Received: in the body\r\n";
    mw_trace_field f[16];
    unsigned n = mw_trace_fields(S(m), f, 16);
    CHECK_EQ_INT(n, 7);
    CHECK_EQ_INT(f[0].kind, MW_TRACE_RETURN_PATH);
    CHECK_EQ_INT(f[1].kind, MW_TRACE_DELIVERED_TO);
    CHECK_EQ_INT(f[2].kind, MW_TRACE_RECEIVED);
    CHECK_EQ_INT(f[3].kind, MW_TRACE_ARC_SEAL);
    CHECK_EQ_INT(f[4].kind, MW_TRACE_AUTH_RESULTS);
    CHECK_EQ_INT(f[5].kind, MW_TRACE_RECEIVED);
    CHECK_EQ_INT(f[6].kind, MW_TRACE_X_ORIGINAL_TO);
    SPAN(m, f[5].value, "from c\r\n by d; 1 Jan 2024 00:00:00 +0000");
    SPAN(m, f[0].field, "Return-Path: <bounce@example.org>\r\n");
    CHECK_EQ_INT(mw_trace_fields(S(m), f, 2), 7);

    mw_span a;
    const char *v = " <bounce@example.org> (comment)";
    CHECK(mw_return_path(S(v), &a));
    SPAN(v, a, "bounce@example.org");
    v = "<>";
    CHECK(mw_return_path(S(v), &a) && a.len == 0);
    v = "<@relay.example:user@example.org>";
    CHECK(mw_return_path(S(v), &a));
    SPAN(v, a, "user@example.org");
    v = "bare@example.org";
    CHECK(mw_return_path(S(v), &a));
    SPAN(v, a, "bare@example.org");
    v = "<unclosed@example.org";
    CHECK(!mw_return_path(S(v), &a));
    CHECK(!mw_return_path(S("  "), &a));
    CHECK(mw_addr_same(S("A@Example.ORG"), S("a@example.org")));
    CHECK(!mw_addr_same(S("a@example.org"), S("b@example.org")));
}

int main(void)
{
    test_ar_rfc8601_examples();
    test_ar_real_and_broken();
    test_arc_ar();
    test_arc_fields();
    test_arc_chain();
    test_received();
    test_dates_and_chain();
    test_scan_and_paths();
    return CHECK_DONE();
}

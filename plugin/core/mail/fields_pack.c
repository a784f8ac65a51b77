/* Deflated header fields: see fields_pack.h. */
#include "core/mail/fields_pack.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A 4 KiB window holds the dictionary and any usual header block. */
#define WINDOW_BITS 12
/* A small match table: blocks this short find the same matches with it, and
 * every block starts by clearing it. */
#define MEM_LEVEL 2

/* Common header text, the most frequent last (nearest to the data, so the
 * shortest distances): field names as the fields block writes them ("Name:
 * value", NUL-ended), then tokens of their values. */
static const char dictionary[] =
    "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=\0"
    "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=\0"
    "ARC-Authentication-Results: i=1; \0"
    "List-Unsubscribe: <mailto:\0List-Id: <\0Precedence: bulk\0"
    "X-Spam-Status: No, score=\0X-Mailer: \0User-Agent: Mozilla/5.0 \0"
    "Thread-Topic: \0Thread-Index: \0Importance: \0"
    "Content-Language: en-US\0Content-Disposition: attachment; filename=\"\0"
    "Content-Transfer-Encoding: quoted-printable\0Content-Transfer-Encoding: 7bit\0"
    "Content-Transfer-Encoding: base64\0"
    "Content-Type: multipart/alternative; boundary=\"\0"
    "Content-Type: multipart/mixed; boundary=\"\0"
    "Content-Type: text/html; charset=\"utf-8\"\0"
    "Content-Type: text/plain; charset=\"us-ascii\"\0"
    "Content-Type: text/plain; charset=utf-8\0MIME-Version: 1.0\0"
    "In-Reply-To: <\0References: <\0Reply-To: \0Cc: \0Sender: \0"
    "Delivered-To: \0X-Original-To: \0"
    "Authentication-Results: \0 dkim=pass header.d=\0 spf=pass smtp.mailfrom=\0"
    " dmarc=pass header.from=\0"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=\0 s=\0 h=\0 bh=\0 b=\0"
    " Jan 20\0 Feb 20\0 Mar 20\0 Apr 20\0 May 20\0 Jun 20\0 Jul 20\0 Aug 20\0 Sep 20\0"
    " Oct 20\0 Nov 20\0 Dec 20\0Sat, \0Sun, \0Mon, \0Tue, \0Wed, \0Thu, \0Fri, \0"
    " +0000\0 (UTC)\0.com>\0.net>\0.org>\0"
    "Subject: Re: \0Subject: =?UTF-8?B?\0Subject: =?utf-8?Q?\0"
    "Received: from localhost (localhost [127.0.0.1])\0"
    " with ESMTPSA id \0 with ESMTPS id \0 with LMTP id \0 with SMTP id \0"
    " with ESMTP id \0 for <\0; \0 by \0Received: from \0"
    "Return-Path: <\0Date: \0To: \0From: \0Message-ID: <\0";

static z_stream zs;
static bool zs_ready;

uint8_t *mw_fields_deflate(const uint8_t *raw, uint32_t len, uint32_t *out_len)
{
    if (!zs_ready) {
        if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -WINDOW_BITS, MEM_LEVEL,
                         Z_DEFAULT_STRATEGY) != Z_OK)
            return NULL;
        zs_ready = true;
    } else if (deflateReset(&zs) != Z_OK) {
        return NULL;
    }
    if (deflateSetDictionary(&zs, (const Bytef *)dictionary, sizeof dictionary - 1) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&zs, len);
    uint8_t *out = (uint8_t *)malloc(cap);
    if (!out)
        return NULL;
    zs.next_in = (Bytef *)(uintptr_t)raw;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out >= len) {
        free(out);
        return NULL;
    }
    *out_len = (uint32_t)zs.total_out;
    return out;
}

bool mw_fields_inflate(const uint8_t *z, uint32_t zlen, uint8_t *out, uint32_t raw_len)
{
    z_stream is;
    memset(&is, 0, sizeof is);
    if (inflateInit2(&is, -WINDOW_BITS) != Z_OK)
        return false;
    bool ok = inflateSetDictionary(&is, (const Bytef *)dictionary, sizeof dictionary - 1) == Z_OK;
    is.next_in = (Bytef *)(uintptr_t)z;
    is.avail_in = zlen;
    is.next_out = out;
    is.avail_out = raw_len;
    int rc = ok ? inflate(&is, Z_FINISH) : Z_DATA_ERROR;
    ok = rc == Z_STREAM_END && is.total_out == raw_len;
    inflateEnd(&is);
    return ok;
}

/* Deceptive attachment names: see mime_filename.h. */
#include "core/mail/mime_filename.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static const char *const executable[] = {
    "exe", "scr", "com", "pif", "bat", "cmd", "cpl", "msi", "msp", "dll", "js", "jse",
    "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "jar", "lnk", "reg", "iso", "img",
    "vhd", "vhdx", "application", "gadget", "msc", "chm", "scf", "url", "appx", "xll", NULL,
};

/* What a reader takes for a harmless document. */
static const char *const document[] = {
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "rtf", "txt", "odt", "ods", "csv",
    "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "mp3", "mp4", "wav", "avi", "mov",
    "htm", "html", "zip", "rar", "7z", "eml", "xml", "ics", NULL,
};

static int in_list(const char *const *list, const char *ext, size_t len)
{
    for (size_t k = 0; list[k]; k++)
        if (strlen(list[k]) == len && strncasecmp(list[k], ext, len) == 0)
            return 1;
    return 0;
}

int mw_filename_ext_is_executable(const char *ext, size_t len)
{
    return in_list(executable, ext, len);
}

/* Flags for a 3-byte UTF-8 sequence E2 b1 b2 or EF BB BF. */
static unsigned special_char(const uint8_t *p, size_t left)
{
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
        return MW_FN_BIDI; /* U+202A-202E */
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
        return MW_FN_BIDI; /* U+2066-2069 */
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f))
        return MW_FN_BIDI; /* U+200E LRM, U+200F RLM */
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x8b && p[2] <= 0x8d)
        return MW_FN_INVISIBLE; /* U+200B-200D */
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0xa0)
        return MW_FN_INVISIBLE; /* U+2060 */
    if (left >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        return MW_FN_INVISIBLE; /* U+FEFF */
    return 0;
}

unsigned mw_filename_check(const char *name, size_t len)
{
    const uint8_t *p = (const uint8_t *)name;
    unsigned flags = 0, spaces = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 32 || p[i] == 127)
            flags |= MW_FN_CONTROL;
        if (p[i] == '/' || p[i] == '\\')
            flags |= MW_FN_PATH;
        spaces = p[i] == ' ' ? spaces + 1 : 0;
        if (spaces == 5)
            flags |= MW_FN_PADDED;
        flags |= special_char(p + i, len - i);
    }
    /* The last extension, then the one before it, whitespace trimmed. */
    size_t end = len;
    while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '.'))
        end--;
    size_t dot = end;
    while (dot > 0 && p[dot - 1] != '.')
        dot--;
    if (dot == 0 || !in_list(executable, name + dot, end - dot))
        return flags;
    size_t e2 = dot - 1;
    while (e2 > 0 && (p[e2 - 1] == ' ' || p[e2 - 1] == '_'))
        e2--;
    size_t d2 = e2;
    while (d2 > 0 && p[d2 - 1] != '.')
        d2--;
    if (d2 > 0 && in_list(document, name + d2, e2 - d2))
        flags |= MW_FN_DOUBLE_EXT;
    return flags;
}

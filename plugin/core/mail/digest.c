/* libgcrypt set-up and hex output: see digest.h. */
#include "core/mail/digest.h"

#include <gcrypt.h>

bool mw_gcrypt_ready(void)
{
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
        return true;
    if (!gcry_check_version("1.8.0"))
        return false;
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return true;
}

void mw_hex_lower(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/*
 * utf8.c — strict UTF-8 decoder/encoder and validation. See utf8.h.
 *
 * The decoder checks the lead byte's length class, then each continuation byte, then rejects
 * overlongs (value below the minimum for the length), surrogates and values above U+10FFFF.
 */
#include "text/utf8.h"

int kc_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0) return 0;
    const unsigned char *u = (const unsigned char *)s;
    unsigned char b0 = u[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    int n;
    uint32_t v, min;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2, v = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3, v = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4, v = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)n > len) return 0;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

int kc_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int kc_utf8_validate(const char *s, size_t len, size_t *bad_pos, const char *field,
                     struct kc_err *err)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        int n = kc_utf8_decode(s + i, len - i, &cp);
        if (n == 0 || cp == 0) {
            if (bad_pos) *bad_pos = i;
            return kc_err_field(err, KC_E_INVALID, field ? field : "", "%s: %s at byte %zu",
                                field ? field : "text",
                                n == 0 ? "invalid UTF-8 sequence" : "NUL byte", i);
        }
        i += (size_t)n;
    }
    return 0;
}

size_t kc_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

/* Hangul syllable = 0xAC00 + (L*21 + V)*28 + T; T == 0 means no final consonant; T == 8 is ㄹ. */
bool kc_hangul_has_batchim(uint32_t c)
{
    return kc_cp_is_hangul_syllable(c) && (c - 0xAC00) % 28 != 0;
}

bool kc_hangul_final_is_rieul(uint32_t c)
{
    return kc_cp_is_hangul_syllable(c) && (c - 0xAC00) % 28 == 8;
}

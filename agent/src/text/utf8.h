/*
 * utf8.h — strict UTF-8 decoding and the character classes the text layer needs.
 *
 * Decoding follows RFC 3629: overlong forms, surrogates (U+D800..DFFF), code points above
 * U+10FFFF and truncated sequences are invalid. Validation reports the byte position of the first
 * invalid sequence so an API error can name it.
 *
 * Character classes are deliberately small and explicit (no locale): Hangul syllables and jamo,
 * ASCII/Latin letters, digits, and "word" characters = letters of any of the scripts resumes use
 * (Hangul, Latin, CJK ideographs, Greek/Cyrillic) plus digits.
 *
 * Thread-safety: all functions are pure.
 */
#ifndef KC_TEXT_UTF8_H
#define KC_TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Decode one code point at s[0..len). Returns the number of bytes consumed (1..4) and sets *cp,
 * or 0 when the bytes at s are not a valid UTF-8 sequence (or len == 0). */
int kc_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encode cp (must be a valid scalar value) into out[0..4); returns the byte count. */
int kc_utf8_encode(uint32_t cp, char out[4]);

/* 0 when s[0..len) is valid UTF-8 without NUL bytes. Otherwise -1, *bad_pos = byte offset of the
 * first invalid sequence (or NUL), and err = KC_E_INVALID naming `field` (may be NULL). */
int kc_utf8_validate(const char *s, size_t len, size_t *bad_pos, const char *field,
                     struct kc_err *err);

/* Number of code points in valid UTF-8 s[0..len). */
size_t kc_utf8_count(const char *s, size_t len);

static inline bool kc_cp_is_hangul_syllable(uint32_t c)
{
    return c >= 0xAC00 && c <= 0xD7A3;
}
static inline bool kc_cp_is_hangul(uint32_t c)
{
    return kc_cp_is_hangul_syllable(c) || (c >= 0x1100 && c <= 0x11FF) ||
           (c >= 0x3131 && c <= 0x318E);
}
static inline bool kc_cp_is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}
static inline bool kc_cp_is_latin(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}
static inline bool kc_cp_is_word(uint32_t c)
{
    return kc_cp_is_latin(c) || kc_cp_is_digit(c) || kc_cp_is_hangul(c) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x370 && c <= 0x4FF);
}
static inline bool kc_cp_is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* True when the Hangul syllable c has a final consonant (batchim); used for josa choice. */
bool kc_hangul_has_batchim(uint32_t c);
/* True when the final consonant of syllable c is ㄹ (selects 로 rather than 으로). */
bool kc_hangul_final_is_rieul(uint32_t c);

#endif

/*
 * josa.c — particle choice by the final sound of the preceding word. See josa.h.
 */
#include "text/josa.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "text/utf8.h"

enum final_sound { FINAL_NONE, FINAL_CONSONANT, FINAL_RIEUL };

static const struct {
    const char *pair, *with, *without;
    bool rieul_as_none; /* 으로/로: ㄹ behaves like no batchim */
} PAIRS[] = {{"을/를", "을", "를", false},
             {"이/가", "이", "가", false},
             {"은/는", "은", "는", false},
             {"와/과", "과", "와", false},
             {"과/와", "과", "와", false},
             {"으로/로", "으로", "로", true},
             {"이라고/라고", "이라고", "라고", false},
             {"이에요/예요", "이에요", "예요", false}};

static enum final_sound latin_final(char c, char prev)
{
    c = (char)(c | 0x20);
    if (c == 'l') return FINAL_RIEUL;
    if (c == 'm' || c == 'n') return FINAL_CONSONANT;
    if (c == 'g' && (prev | 0x20) == 'n') return FINAL_CONSONANT;
    return FINAL_NONE;
}

static enum final_sound digit_final(char d)
{
    switch (d) {
    case '1':
    case '7':
    case '8': return FINAL_RIEUL;
    case '0':
    case '3':
    case '6': return FINAL_CONSONANT;
    default: return FINAL_NONE;
    }
}

static enum final_sound final_of(const char *s, size_t len)
{
    while (len > 0) {
        size_t b = len - 1;
        while (b > 0 && ((uint8_t)s[b] & 0xC0) == 0x80) b--;
        uint32_t c = 0;
        if (kc_utf8_decode(s + b, len - b, &c) == 0) return FINAL_NONE;
        if (kc_cp_is_hangul_syllable(c)) {
            if (kc_hangul_final_is_rieul(c)) return FINAL_RIEUL;
            return kc_hangul_has_batchim(c) ? FINAL_CONSONANT : FINAL_NONE;
        }
        if (c < 0x80 && kc_cp_is_latin(c)) return latin_final((char)c, b > 0 ? s[b - 1] : ' ');
        if (c < 0x80 && kc_cp_is_digit(c)) return digit_final((char)c);
        if (kc_cp_is_word(c)) return FINAL_NONE;
        len = b; /* quote, bracket, space: look further back */
    }
    return FINAL_NONE;
}

const char *kc_josa_pick(const char *before, size_t len, const char *pair)
{
    for (size_t i = 0; i < sizeof PAIRS / sizeof *PAIRS; i++) {
        if (strcmp(PAIRS[i].pair, pair) != 0) continue;
        enum final_sound f = final_of(before, len);
        bool with = f == FINAL_CONSONANT || (f == FINAL_RIEUL && !PAIRS[i].rieul_as_none);
        return with ? PAIRS[i].with : PAIRS[i].without;
    }
    return NULL;
}

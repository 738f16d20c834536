/*
 * norm.c — normalisation with an offset map. See norm.h for the rules and invariants.
 *
 * One pass over the source: decode a code point, compose Hangul jamo by looking ahead at most two
 * code points, map it (full-width, dashes, quotes, case), then either fold it into a pending
 * white-space run or emit it. Output never grows beyond the input plus one byte (every mapping
 * keeps or shrinks the UTF-8 length), so the buffers are allocated once.
 */
#include "text/norm.h"

#include <stdlib.h>
#include <string.h>

#include "text/utf8.h"

enum {
    HANGUL_SBASE = 0xAC00,
    HANGUL_LBASE = 0x1100,
    HANGUL_VBASE = 0x1161,
    HANGUL_TBASE = 0x11A7,
    HANGUL_LCOUNT = 19,
    HANGUL_VCOUNT = 21,
    HANGUL_TCOUNT = 28
};

enum ws_kind { WS_NONE = 0, WS_SPACE = 1, WS_NEWLINE = 2, WS_DROP = 3 };

static uint32_t fold_latin_ext_a(uint32_t c)
{
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1u) ? c + 1 : c;
    return c;
}

uint32_t kc_norm_fold_cp(uint32_t c)
{
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0xC0) return c;
    if (c <= 0xDE && c != 0xD7) return c + 32;
    if (c >= 0x100 && c <= 0x17F) return fold_latin_ext_a(c);
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    return c;
}

/* Width, punctuation and case mapping of one composed code point. */
static uint32_t map_cp(uint32_t c)
{
    if (c >= 0xFF01 && c <= 0xFF5E)
        c = c - 0xFF01 + 0x21;
    else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 || c == 0xFE63)
        c = '-';
    else if (c == 0x301C)
        c = '~';
    else if (c == 0x2018 || c == 0x2019 || c == 0x201B || c == 0x2032)
        c = '\'';
    else if (c == 0x201C || c == 0x201D || c == 0x201F || c == 0x2033)
        c = '"';
    return kc_norm_fold_cp(c);
}

static enum ws_kind classify_ws(uint32_t c)
{
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x2028 || c == 0x2029 || c == 0x85)
        return WS_NEWLINE;
    if (c == ' ' || c == '\t' || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200A) ||
        c == 0x202F || c == 0x205F)
        return WS_SPACE;
    if ((c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || c == 0xAD) return WS_DROP;
    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return WS_DROP;
    return WS_NONE;
}

/* Decode at src[i]; on invalid input (caller skipped validation) treat the byte as U+FFFD. */
static int next_cp(const char *src, size_t len, size_t i, uint32_t *cp)
{
    int n = kc_utf8_decode(src + i, len - i, cp);
    if (n == 0) {
        *cp = 0xFFFD;
        n = 1;
    }
    return n;
}

/* Compose a Hangul L+V(+T) or LV+T sequence starting at src[i]; returns bytes consumed. */
static int compose_hangul(const char *src, size_t len, size_t i, uint32_t *cp)
{
    uint32_t c = *cp, c2, c3;
    int n = next_cp(src, len, i, &c);
    size_t j = i + (size_t)n;
    if (c >= HANGUL_LBASE && c < HANGUL_LBASE + HANGUL_LCOUNT && j < len) {
        int n2 = next_cp(src, len, j, &c2);
        if (c2 >= HANGUL_VBASE && c2 < HANGUL_VBASE + HANGUL_VCOUNT) {
            c = HANGUL_SBASE +
                ((c - HANGUL_LBASE) * HANGUL_VCOUNT + (c2 - HANGUL_VBASE)) * HANGUL_TCOUNT;
            j += (size_t)n2;
        }
    }
    if (kc_cp_is_hangul_syllable(c) && (c - HANGUL_SBASE) % HANGUL_TCOUNT == 0 && j < len) {
        int n3 = next_cp(src, len, j, &c3);
        if (c3 > HANGUL_TBASE && c3 < HANGUL_TBASE + HANGUL_TCOUNT) {
            c += c3 - HANGUL_TBASE;
            j += (size_t)n3;
        }
    }
    *cp = c;
    return (int)(j - i);
}

struct emitter {
    char *text;
    uint32_t *map;
    size_t len;
};

static void emit(struct emitter *e, uint32_t cp, size_t src_off)
{
    char buf[4];
    int n = kc_utf8_encode(cp, buf);
    for (int k = 0; k < n; k++) {
        e->text[e->len] = buf[k];
        e->map[e->len] = (uint32_t)src_off;
        e->len++;
    }
}

int kc_norm_text(const char *src, size_t len, struct kc_norm *out, struct kc_err *err)
{
    memset(out, 0, sizeof *out);
    struct emitter e = {malloc(len + 2), malloc((len + 2) * sizeof(uint32_t)), 0};
    if (!e.text || !e.map) {
        free(e.text);
        free(e.map);
        return kc_err_set(err, KC_E_NOMEM, "normalising %zu bytes: out of memory", len);
    }
    enum ws_kind pending = WS_NONE;
    size_t pending_off = 0, i = 0;
    while (i < len) {
        uint32_t cp = 0;
        int n = compose_hangul(src, len, i, &cp);
        enum ws_kind ws = classify_ws(cp);
        if (ws == WS_SPACE || ws == WS_NEWLINE) {
            if (pending == WS_NONE) pending_off = i;
            if (ws > pending) pending = ws;
        } else if (ws == WS_NONE) {
            if (pending != WS_NONE && e.len > 0)
                emit(&e, pending == WS_NEWLINE ? '\n' : ' ', pending_off);
            pending = WS_NONE;
            emit(&e, map_cp(cp), i);
        }
        i += (size_t)n;
    }
    e.text[e.len] = '\0';
    e.map[e.len] = (uint32_t)len;
    out->text = e.text;
    out->map = e.map;
    out->len = e.len;
    return 0;
}

char *kc_norm_dup(const char *src, size_t len)
{
    struct kc_norm n;
    if (kc_norm_text(src, len, &n, NULL) != 0) return NULL;
    free(n.map);
    return n.text;
}

void kc_norm_free(struct kc_norm *n)
{
    if (!n) return;
    free(n->text);
    free(n->map);
    n->text = NULL;
    n->map = NULL;
    n->len = 0;
}

/*
 * fuzz_agent_text.c — libFuzzer target for the agent's text library (agent/src/text):
 * UTF-8 decoding and validation, normalisation, the tokenizer, the sentence splitter, the date
 * parsers and kc screening of the input as resume text against a fixed job.
 *
 * Design: LLVMFuzzerInitialize loads the text kit (lexicons from agent/data, as the service
 * does at start-up) and compiles one fixed bilingual job (criteria with keywords, a required
 * item, min_years) once. Per input:
 *  - kc_utf8_decode walks the raw bytes (any bytes) and must agree with kc_utf8_validate;
 *  - kc_date_parse / kc_date_parse_ref run on each line of the raw bytes (field parsers);
 *  - valid UTF-8 goes through the request path: kc_norm_text → kc_tok_words, kc_tok_terms,
 *    kc_sent_split, kc_date_find_ranges + kc_date_merge, then kc_screen_text.
 * Invariants: no crash/leak; spans (tokens, sentences, date ranges) lie inside the normalised
 * text; the normalisation map has len + 1 entries within the source; screening returns an
 * object (or an error with a message).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/criteria.h"
#include "text/dates.h"
#include "text/norm.h"
#include "text/screen.h"
#include "text/sentence.h"
#include "text/textkit.h"
#include "text/token.h"
#include "text/utf8.h"

static struct kc_textkit *kit;
static struct kc_jobspec *job;
static const struct kc_ym ref = {2026, 11};

static void check(int ok)
{
    if (!ok) abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct kc_err err = {0};
    kit = kc_textkit_load(NULL, &err);
    check(kit != NULL);
    json_t *j =
        json_pack("{s:[{s:s, s:f, s:[s, s, s], s:[s]}, {s:s, s:f, s:[s, s]}], s:f, s:f}",
                  "criteria", "name", "backend", "weight", 1.0, "keywords", "C", "PostgreSQL",
                  "분산 시스템", "required", "Linux", "name", "marketing", "weight", 0.5,
                  "keywords", "SEO", "콘텐츠 마케팅", "threshold", 30.0, "min_years", 3.0);
    job = kc_jobspec_compile(kit, j, "job", &err);
    json_decref(j);
    check(job != NULL);
    return 0;
}

static void raw_paths(const char *s, size_t n)
{
    size_t bad = 0, pos = 0;
    struct kc_err err = {0};
    int valid = kc_utf8_validate(s, n, &bad, "text", &err) == 0;
    while (pos < n) {
        uint32_t cp;
        int k = kc_utf8_decode(s + pos, n - pos, &cp);
        if (k <= 0 || cp == 0) break;
        pos += (size_t)k;
    }
    check(valid ? pos == n : bad == pos && bad < n);
    for (size_t a = 0; a < n;) {
        const char *nl = memchr(s + a, '\n', n - a);
        size_t len = nl ? (size_t)(nl - s) - a : n - a;
        struct kc_ym d;
        bool present = false;
        if (len < 64) kc_date_parse(s + a, len, ref, &d, &present, "date", &err);
        a += len + 1;
    }
}

static void norm_paths(const char *s, size_t n)
{
    struct kc_err err = {0};
    struct kc_norm nm;
    if (kc_norm_text(s, n, &nm, &err) != 0) return;
    for (size_t i = 0; i <= nm.len; i++) check(nm.map[i] <= n);
    struct kc_tokens tk = {0};
    if (kc_tok_words(nm.text, nm.len, &tk, &err) == 0)
        for (size_t i = 0; i < tk.n; i++) check(tk.v[i].off + tk.v[i].full_len <= nm.len);
    kc_tokens_free(&tk);
    uint64_t *terms = NULL;
    size_t nt = 0, ct = 0;
    kc_tok_terms(nm.text, nm.len, &terms, &nt, &ct, &err);
    free(terms);
    struct kc_sentences se = {0};
    if (kc_sent_split(&nm, s, n, &se, &err) == 0)
        for (size_t i = 0; i < se.n; i++) check(se.v[i].off + se.v[i].len <= nm.len);
    kc_sentences_free(&se);
    struct kc_date_ranges dr = {0};
    if (kc_date_find_ranges(nm.text, nm.len, ref, &dr, &err) == 0 && dr.n) {
        struct kc_date_range *m = calloc(dr.n, sizeof *m);
        int months = 0;
        for (size_t i = 0; i < dr.n; i++) check(dr.v[i].off + dr.v[i].len <= nm.len);
        if (m) kc_date_merge(dr.v, dr.n, m, &months);
        free(m);
    }
    kc_date_ranges_free(&dr);
    kc_norm_free(&nm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct kc_err err = {0};
    raw_paths(s, size);
    if (kc_utf8_validate(s, size, NULL, NULL, &err) != 0) return 0;
    norm_paths(s, size);
    json_t *out = kc_screen_text(kit, job, s, size, NULL, ref, &err);
    check(out ? json_is_object(out) : err.message[0] != '\0');
    json_decref(out);
    return 0;
}

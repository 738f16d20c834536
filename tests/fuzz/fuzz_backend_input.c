/*
 * fuzz_backend_input.c — libFuzzer target for the backend's pure input parsers:
 * resume sections (sections.c, sections_check.c), upload content sniffing (mime.c), the field
 * validators (validate.c) and the job-post body validator (jobinput.c).
 *
 * Design: one input feeds every parser the way the services receive it.
 *  - The whole buffer: kc_mime_sniff (bytes of an upload), kc_json_bad_utf8_field (a raw
 *    body), and, when it is well-formed UTF-8, kc_resume_parse (extracted resume text).
 *  - Each line: kc_resume_heading, kc_resume_find_range, kc_resume_find_date, and the
 *    string validators (email, password, filename, ISO time, id, sha256, stage name).
 *  - When the buffer parses as JSON (JSON_REJECT_DUPLICATES, as kc_req_json does):
 *    kc_resume_sections_validate and kc_job_input_parse (with and without a company).
 * Invariants checked (abort = finding): spans lie inside the line, dates are NUL-terminated,
 * kc_resume_parse returns an object, and the sections it produces pass the validator the
 * applicant's PUT uses (round trip).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "mime.h"
#include "sections.h"
#include "validate.h"

static void check(int ok)
{
    if (!ok) abort();
}

static void one_line(const char *line, size_t len)
{
    size_t rest = 0, s = 0, e = 0;
    struct kc_date_range r;
    char date[8];
    struct kc_err err = {0};
    long t = 0;
    int64_t id = 0;
    const char *key = kc_resume_heading(line, len, &rest);
    check(!key || rest <= len);
    if (kc_resume_find_range(line, len, &r) == 1) {
        check(r.start <= r.end && r.end <= len);
        check(memchr(r.from, 0, sizeof r.from) && memchr(r.to, 0, sizeof r.to));
    }
    if (kc_resume_find_date(line, len, date, &s, &e) == 1)
        check(s <= e && e <= len && memchr(date, 0, sizeof date));
    kc_valid_email("email", line, &err);
    kc_valid_password("password", line, &err);
    kc_valid_filename("filename", line, &err);
    kc_parse_time("t", line, 1, &t, &err);
    kc_parse_id(line, &id);
    kc_valid_sha256_hex(line);
    kc_stage_index(line);
}

/* KC_FUZZ_ROUNDTRIP=0 turns the round-trip invariant off (see tests/fuzz/README.md). */
static int roundtrip = 1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *v = getenv("KC_FUZZ_ROUNDTRIP");
    roundtrip = !(v && strcmp(v, "0") == 0);
    return 0;
}

static void text_paths(char *text, size_t size)
{
    char field[32];
    kc_mime_sniff(text, size);
    if (kc_json_bad_utf8_field(text, size, field, sizeof field) == 1)
        check(memchr(field, 0, sizeof field) != NULL);
    for (char *p = text; p < text + size;) {
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(text + size - p);
        char saved = p[len];
        p[len] = '\0';
        one_line(p, len);
        p[len] = saved;
        p += len + 1;
    }
    if (!kc_utf8_valid(text, size) || memchr(text, 0, size)) return;
    kc_utf8_chars(text);
    json_t *sec = kc_resume_parse(text);
    check(json_is_object(sec));
    struct kc_err err = {0};
    if (roundtrip) /* the parser's output must pass the validator of the applicant's PUT */
        check(kc_resume_sections_validate(sec, &err) == 0);
    json_decref(sec);
}

static void json_paths(const char *text, size_t size)
{
    json_error_t jerr;
    json_t *body = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!body) return;
    struct kc_err err = {0};
    kc_resume_sections_validate(body, &err);
    json_t *inner = json_object_get(body, "sections");
    if (inner) kc_resume_sections_validate(inner, &err);
    for (int need = 0; need < 2; need++) {
        struct kc_job_input in;
        memset(&in, 0, sizeof in);
        if (kc_job_input_parse(body, need, &in, &err) == 0) check(in.title != NULL);
        kc_job_input_free(&in);
    }
    json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    text_paths(text, size);
    json_paths(text, size);
    free(text);
    return 0;
}

/*
 * test_validate.c — pure validators: UTF-8, the bad-UTF-8 field locator, e-mail, password,
 * ISO-8601 times, file names, ids, content sniffing and the evaluation aggregate.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "aggregate.h"
#include "mime.h"
#include "validate.h"

Test(utf8, valid_and_invalid)
{
    cr_expect(kc_utf8_valid("백엔드 dev", strlen("백엔드 dev")));
    cr_expect_not(kc_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    cr_expect_not(kc_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    cr_expect_not(kc_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    cr_expect_not(kc_utf8_valid("\xe2\x82", 2));         /* truncated */
    cr_expect_eq(kc_utf8_chars("백엔드"), 3);
}

Test(utf8, names_the_field_of_a_bad_byte)
{
    char f[64];
    const char *b1 = "{\"title\":\"ok\",\"location\":\"Se\xffoul\"}";
    cr_expect_eq(kc_json_bad_utf8_field(b1, strlen(b1), f, sizeof f), 1);
    cr_expect_str_eq(f, "location");
    const char *b2 = "{\"a\":{\"inner\":[\"x\",\"\xc3\"]},\"b\":1}";
    cr_expect_eq(kc_json_bad_utf8_field(b2, strlen(b2), f, sizeof f), 1);
    cr_expect_str_eq(f, "inner");
    const char *b3 = "{\"a\":\"fine \\\" quote 한글\"}";
    cr_expect_eq(kc_json_bad_utf8_field(b3, strlen(b3), f, sizeof f), 0);
}

Test(fields, email_password)
{
    struct kc_err e = {0};
    cr_expect_eq(kc_valid_email("email", "kim@example.co.kr", &e), 0);
    const char *bad[] = {"", "kim", "@x.com", "kim@", "kim@x", "a b@x.com", "a@b@c.com", "a@.com"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(kc_valid_email("email", bad[i], &e), -1, "%s", bad[i]);
        cr_expect_str_eq(e.field, "email");
    }
    cr_expect_eq(kc_valid_password("password", "short", &e), -1);
    cr_expect_eq(kc_valid_password("password", "long enough pw", &e), 0);
}

Test(fields, times)
{
    struct kc_err e = {0};
    long t;
    cr_expect_eq(kc_parse_time("opens_at", "2026-12-01", 0, &t, &e), 0);
    cr_expect_eq(t, 1796083200L);
    cr_expect_eq(kc_parse_time("closes_at", "2026-12-01", 1, &t, &e), 0);
    cr_expect_eq(t, 1796083200L + 86399);
    cr_expect_eq(kc_parse_time("x", "2026-12-01T09:00:00+09:00", 0, &t, &e), 0);
    cr_expect_eq(t, 1796083200L);
    cr_expect_eq(kc_parse_time("x", "2026-12-01T00:00:00.123Z", 0, &t, &e), 0);
    const char *bad[] = {"",          "2026-13-01",        "2026-02-30",
                         "yesterday", "2026-12-01T25:00Z", "2026-12-01T10:00",
                         "12/01/2026"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(kc_parse_time("x", bad[i], 0, &t, &e), -1, "%s", bad[i]);
    char buf[32];
    kc_format_time(1796083200L, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-12-01T00:00:00Z");
}

Test(fields, filenames_and_ids)
{
    struct kc_err e = {0};
    cr_expect_eq(kc_valid_filename("file", "이력서 2024.pdf", &e), 0);
    const char *bad[] = {"../../etc/passwd", "a/b.pdf", "a\\b.pdf", ".hidden", "a\nb", "x..pdf"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(kc_valid_filename("file", bad[i], &e), -1, "%s", bad[i]);
    int64_t id;
    cr_expect_eq(kc_parse_id("42", &id), 0);
    cr_expect_eq(id, 42);
    cr_expect_eq(kc_parse_id("0", &id), -1);
    cr_expect_eq(kc_parse_id("-1", &id), -1);
    cr_expect_eq(kc_parse_id("1e3", &id), -1);
    cr_expect_eq(kc_parse_id("99999999999999999999", &id), -1);
    cr_expect(
        kc_valid_sha256_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    cr_expect_not(kc_valid_sha256_hex("../../../../etc/passwd"));
    cr_expect_eq(kc_stage_index("practical"), 3);
    cr_expect_eq(kc_stage_index("lunch"), -1);
}

Test(mime, sniffs_from_bytes)
{
    cr_expect_str_eq(kc_mime_sniff("%PDF-1.7\n...", 12), KC_MIME_PDF);
    cr_expect_str_eq(kc_mime_sniff(" {\"sections\":{}}", 16), KC_MIME_JSON);
    cr_expect_str_eq(kc_mime_sniff("경력\n2019", strlen("경력\n2019")), KC_MIME_TEXT);
    cr_expect_null(kc_mime_sniff("\x89PNG\r\n\x1a\n", 8));
    cr_expect_null(kc_mime_sniff("", 0));
    cr_expect_null(kc_mime_sniff("abc\x00def", 7));
    cr_expect(kc_mime_named_pdf("CV.PDF"));
    cr_expect_not(kc_mime_named_pdf("cv.txt"));
}

Test(aggregate, stats_and_totals)
{
    double v[] = {70, 90};
    struct kc_aggregate a;
    kc_aggregate_of(v, 2, &a);
    cr_expect_eq(a.count, 2);
    cr_expect_float_eq(a.mean, 80, 1e-9);
    cr_expect_float_eq(a.spread, 10, 1e-9);
    cr_expect_float_eq(a.min, 70, 1e-9);
    kc_aggregate_of(v, 0, &a);
    cr_expect_eq(a.count, 0);
    json_t *crit = json_loads(
        "[{\"name\":\"C\",\"weight\":0.75},{\"name\":\"팀워크\",\"weight\":0.25}]", 0, NULL);
    json_t *sc = json_loads("{\"C\":80,\"팀워크\":40}", 0, NULL);
    double t;
    struct kc_err e = {0};
    cr_expect_eq(kc_evaluation_total(crit, sc, &t, &e), 0);
    cr_expect_float_eq(t, 70, 1e-9);
    json_decref(sc);
    sc = json_loads("{\"C\":80}", 0, NULL);
    cr_expect_eq(kc_evaluation_total(crit, sc, &t, &e), -1);
    cr_expect_str_eq(e.field, "scores.팀워크");
    json_decref(sc);
    sc = json_loads("{\"C\":101,\"팀워크\":1}", 0, NULL);
    cr_expect_eq(kc_evaluation_total(crit, sc, &t, &e), -1);
    cr_expect_str_eq(e.field, "scores.C");
    json_decref(sc);
    sc = json_loads("{\"C\":1,\"팀워크\":1,\"luck\":5}", 0, NULL);
    cr_expect_eq(kc_evaluation_total(crit, sc, &t, &e), -1);
    cr_expect_str_eq(e.field, "scores.luck");
    json_decref(sc);
    json_decref(crit);
}

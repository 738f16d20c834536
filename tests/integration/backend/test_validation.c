/*
 * test_validation.c — bad input never writes:
 *  - the validation matrix on POST /jobs (and sign-up, decision, memo, sections): missing
 *    field, wrong type, overlong string, invalid UTF-8, negative headcount, close date before
 *    open date, unknown enum → 400 naming the field; the test reads back that nothing was
 *    written;
 *  - uploads: a non-PDF named .pdf, an over-size file, a path-like file name, an empty file,
 *    a corrupt PDF, binary garbage → rejected with a clear error, no resume and no blob;
 *  - full-text search finds a Korean job by a Korean word (trigram FTS and the short-word
 *    fallback), filters and pagination, and the cache is invalidated when a job changes;
 *  - the static UI is served only from its root.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bt.h"

static struct bt B;

static void setup(void)
{
    static const char *const env[] = {"KOCRUIT_MAX_RESUME_MB=1", NULL};
    bt_start(&B, env);
}

static void teardown(void)
{
    bt_stop(&B);
}

static const char *error_field(json_t *j)
{
    const char *f = json_string_value(json_object_get(json_object_get(j, "error"), "field"));
    return f ? f : "";
}

static long job_count(const char *token, long long cid)
{
    long st;
    json_t *j = bt_req(&B, "GET", bt_path("/api/v1/companies/%lld/jobs", cid), token, NULL, &st);
    cr_assert_eq(st, 200);
    long n = (long)json_array_size(json_object_get(j, "items"));
    json_decref(j);
    return n;
}

struct mutation {
    const char *name, *field;
    json_t *value; /* NULL = delete the field */
};

Test(validation, job_matrix_writes_nothing, .init = setup, .fini = teardown, .timeout = 120)
{
    long long cid;
    long st;
    char *mgr = bt_signup_company(&B, "m@v.example", "V", &cid, NULL);
    char *base_text = bt_job_body(cid, "기준 공고");
    json_t *base = json_loads(base_text, 0, NULL);
    free(base_text);
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct mutation ms[] = {
        {"missing title", "title", NULL},
        {"missing stages", "stages", NULL},
        {"missing opens_at", "opens_at", NULL},
        {"title wrong type", "title", json_integer(5)},
        {"headcount wrong type", "headcount", json_string("3")},
        {"headcount negative", "headcount", json_integer(-1)},
        {"headcount zero", "headcount", json_integer(0)},
        {"location overlong", "location", json_string(big)},
        {"employment_type unknown", "employment_type", json_string("slavery")},
        {"opens_at garbage", "opens_at", json_string("next tuesday")},
        {"closes_at before opens_at", "closes_at", json_string("2001-01-01")},
        {"stage unknown", "stages[0].name", json_pack("[{s:s}]", "name", "lunch")},
        {"stage out of order", "stages[1]", json_pack("[s,s]", "final", "document")},
        {"weight > 1", "criteria[0].weight", json_pack("[{s:s,s:f}]", "name", "c", "weight", 1.5)},
        {"criteria wrong type", "criteria", json_string("all of them")},
        {"question limit", "questions[0].time_limit_s",
         json_pack("[{s:s,s:i}]", "text", "q", "time_limit_s", 5)},
        {"company_id wrong type", "company_id", json_string("1")},
    };
    const char *real[] = {NULL, NULL, NULL,     NULL,     NULL,       NULL, NULL,        NULL, NULL,
                          NULL, NULL, "stages", "stages", "criteria", NULL, "questions", NULL};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        json_t *b = json_deep_copy(base);
        const char *key = real[i] ? real[i] : ms[i].field;
        if (ms[i].value)
            json_object_set_new(b, key, ms[i].value);
        else
            json_object_del(b, key);
        char *text = json_dumps(b, JSON_COMPACT);
        json_t *r = bt_req(&B, "POST", "/api/v1/jobs", mgr, text, &st);
        cr_expect_eq(st, 400, "%s: %ld %s", ms[i].name, st, json_dumps(r, 0));
        cr_expect_str_eq(error_field(r), ms[i].field, "%s", ms[i].name);
        json_decref(r);
        free(text);
        json_decref(b);
    }
    /* invalid UTF-8 inside a string value: 400 naming that field */
    const char *bad_utf8 = "{\"company_id\":1,\"title\":\"ok\",\"location\":\"Se\xff\xfeoul\"}";
    json_t *r = bt_req(&B, "POST", "/api/v1/jobs", mgr, bad_utf8, &st);
    cr_expect_eq(st, 400);
    cr_expect_str_eq(error_field(r), "location");
    json_decref(r);
    /* malformed JSON and a wrong content type */
    json_decref(bt_req(&B, "POST", "/api/v1/jobs", mgr, "{\"title\":", &st));
    cr_expect_eq(st, 400);
    cr_expect_eq(job_count(mgr, cid), 0, "nothing was written");
    /* the untouched base body is accepted: the matrix really isolated one fault each */
    char *ok = json_dumps(base, JSON_COMPACT);
    json_decref(bt_req(&B, "POST", "/api/v1/jobs", mgr, ok, &st));
    cr_expect_eq(st, 201);
    cr_expect_eq(job_count(mgr, cid), 1);
    free(ok);
    json_decref(base);
    free(mgr);
}

Test(validation, signup_and_other_bodies, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    struct {
        const char *body, *field;
    } cases[] = {
        {"{\"password\":\"correct horse battery\",\"name\":\"n\"}", "email"},
        {"{\"email\":\"not-an-email\",\"password\":\"correct horse battery\",\"name\":\"n\"}",
         "email"},
        {"{\"email\":\"a@b.example\",\"password\":\"short\",\"name\":\"n\"}", "password"},
        {"{\"email\":\"a@b.example\",\"password\":12345678901,\"name\":\"n\"}", "password"},
        {"{\"email\":\"a@b.example\",\"password\":\"correct horse battery\"}", "name"},
        {"{\"email\":\"a@b.example\",\"password\":\"correct horse battery\",\"name\":\"\xc3\x28\"}",
         "name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *r = bt_req(&B, "POST", "/api/v1/auth/signup", NULL, cases[i].body, &st);
        cr_expect_eq(st, 400, "case %zu: %ld", i, st);
        cr_expect_str_eq(error_field(r), cases[i].field, "case %zu", i);
        json_decref(r);
    }
    /* nothing was written: the address is still free */
    char *t = bt_signup_applicant(&B, "a@b.example", NULL);
    /* role cannot be chosen: an extra "role" field changes nothing */
    json_t *me = bt_req(&B, "POST", "/api/v1/auth/signup", NULL,
                        "{\"email\":\"c@b.example\",\"password\":\"correct horse battery\","
                        "\"name\":\"c\",\"role\":\"admin\"}",
                        &st);
    cr_expect_eq(st, 201);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(me, "user"), "role")),
                     "applicant");
    json_decref(me);
    /* structured JSON resume, then a bad correction naming the path */
    const char *jr = "{\"text\":\"C developer\",\"sections\":{\"skills\":[\"C\",\"Go\"],"
                     "\"experience\":[{\"title\":\"ACME\",\"start\":\"2019-03\",\"end\":null,"
                     "\"current\":true,\"details\":[]}]}}";
    json_t *res = bt_upload(&B, t, "cv.json", jr, strlen(jr), &st);
    cr_assert_eq(st, 201, "%s", json_dumps(res, 0));
    cr_expect_str_eq(json_string_value(json_object_get(res, "source_kind")), "json");
    long long rid = json_integer_value(json_object_get(res, "id"));
    json_decref(res);
    json_t *r =
        bt_req(&B, "PUT", bt_path("/api/v1/resumes/%lld/sections", rid), t,
               "{\"sections\":{\"experience\":[{\"title\":\"x\",\"start\":\"2019-13\"}]}}", &st);
    cr_expect_eq(st, 400);
    cr_expect_str_eq(error_field(r), "sections.experience[0].start");
    json_decref(r);
    r = bt_req(&B, "PUT", bt_path("/api/v1/resumes/%lld/sections", rid), t,
               "{\"sections\":{\"skills\":[\"C\",\"Rust\"]}}", &st);
    cr_expect_eq(st, 200);
    cr_expect_eq(json_integer_value(json_object_get(r, "reviewed")), 1);
    cr_expect_str_eq(json_string_value(json_array_get(
                         json_object_get(json_object_get(r, "sections"), "skills"), 1)),
                     "Rust");
    cr_expect_str_eq(json_string_value(json_array_get(
                         json_object_get(json_object_get(r, "parsed"), "skills"), 1)),
                     "Go", "the parser's version is kept");
    json_decref(r);
    free(t);
}

static int count_blobs(const char *dir)
{
    char path[700];
    snprintf(path, sizeof path, "%s/blobs", dir);
    DIR *d = opendir(path);
    int n = 0;
    if (!d) return 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(validation, upload_rejections, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    char *t = bt_signup_applicant(&B, "u@v.example", NULL);
    struct {
        const char *name, *filename, *data;
        size_t len;
        long status;
        const char *code;
    } cases[] = {
        {"text named .pdf", "resume.pdf", "경력\n2019 ~ 2020 ACME\n", 0, 415,
         "unsupported_media_type"},
        {"empty", "cv.txt", "", 0, 400, "invalid_field"},
        {"path-like name", "../../../etc/passwd", "hello\n", 0, 400, "invalid_field"},
        {"windows path", "..\\..\\cv.txt", "hello\n", 0, 400, "invalid_field"},
        {"corrupt pdf", "cv.pdf", "%PDF-1.4\n1 0 obj garbage\n%%EOF", 0, 422, "unprocessable"},
        {"binary", "photo.png", "\x89PNG\r\n\x1a\n\x00\x00", 10, 415, "unsupported_media_type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].data);
        json_t *r = bt_upload(&B, t, cases[i].filename, cases[i].data, len, &st);
        cr_expect_eq(st, cases[i].status, "%s: %ld %s", cases[i].name, st, json_dumps(r, 0));
        json_t *e = json_object_get(r, "error");
        cr_expect_str_eq(json_string_value(json_object_get(e, "code")), cases[i].code, "%s",
                         cases[i].name);
        cr_expect_gt(strlen(json_string_value(json_object_get(e, "message"))), 10);
        json_decref(r);
    }
    /* over-size: 1 MiB limit in this test */
    size_t big = (2u << 20);
    char *data = malloc(big);
    memset(data, 'a', big);
    json_t *r = bt_upload(&B, t, "big.txt", data, big, &st);
    cr_expect_eq(st, 413, "over-size: %ld", st);
    json_decref(r);
    free(data);
    /* nothing was stored */
    r = bt_req(&B, "GET", "/api/v1/resumes", t, NULL, &st);
    cr_expect_eq(json_array_size(json_object_get(r, "items")), 0);
    json_decref(r);
    cr_expect_eq(count_blobs(B.tmp), 0, "no blob was written");
    struct stat sb;
    cr_expect_neq(stat("/etc/passwd.kocruit", &sb), 0);
    /* a good upload is stored once, content-addressed, and served to the owner */
    const char *cv = "Skills\nC, Go\n";
    r = bt_upload(&B, t, "cv.txt", cv, strlen(cv), &st);
    cr_expect_eq(st, 201);
    const char *sha = json_string_value(json_object_get(r, "blob_sha256"));
    char path[800];
    snprintf(path, sizeof path, "%s/blobs/%.2s/%s", B.tmp, sha, sha + 2);
    cr_expect_eq(stat(path, &sb), 0, "blob at %s", path);
    json_decref(r);
    json_decref(bt_upload(&B, t, "again.txt", cv, strlen(cv), &st));
    cr_expect_eq(st, 201);
    cr_expect_eq(count_blobs(B.tmp), 1, "same bytes, same blob");
    free(t);
}

static json_t *search(const char *query, long *st)
{
    return bt_req(&B, "GET", bt_path("/api/v1/jobs?%s", query), NULL, NULL, st);
}

static int titles_contain(json_t *list, const char *title)
{
    json_t *items = json_object_get(list, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(items, i), "title")), title))
            return 1;
    return 0;
}

Test(validation, search_korean_filters_cache, .init = setup, .fini = teardown, .timeout = 120)
{
    long long cid;
    long st;
    char *mgr = bt_signup_company(&B, "s@v.example", "S", &cid, NULL);
    const char *titles[] = {"백엔드 개발자 채용", "Frontend Engineer", "데이터 분석가"};
    long long ids[3];
    for (int i = 0; i < 3; i++) {
        char *jb = bt_job_body(cid, titles[i]);
        json_t *j = json_loads(jb, 0, NULL);
        if (i == 1) {
            json_object_set_new(j, "description", json_string("React and TypeScript web UI"));
            json_object_set_new(j, "qualifications", json_string("3 years of React"));
            json_object_set_new(j, "employment_type", json_string("contract"));
        }
        free(jb);
        jb = json_dumps(j, JSON_COMPACT);
        json_t *r = bt_req(&B, "POST", "/api/v1/jobs", mgr, jb, &st);
        cr_assert_eq(st, 201);
        ids[i] = json_integer_value(json_object_get(r, "id"));
        json_decref(r);
        json_decref(j);
        free(jb);
    }
    json_t *r = search("q=%EB%B0%B1%EC%97%94%EB%93%9C", &st); /* 백엔드 */
    cr_assert_eq(st, 200, "%s", json_dumps(r, 0));
    cr_expect_eq(json_integer_value(json_object_get(r, "total")), 1, "%s", json_dumps(r, 0));
    cr_expect(titles_contain(r, titles[0]));
    cr_expect_null(json_object_get(json_array_get(json_object_get(r, "items"), 0), "criteria"),
                   "public lists hide the screening criteria");
    json_decref(r);
    r = search("q=%EB%B6%84%EC%84%9D", &st); /* 분석: 2 syllables, LIKE fallback */
    cr_expect_eq(json_integer_value(json_object_get(r, "total")), 1);
    cr_expect(titles_contain(r, titles[2]));
    json_decref(r);
    r = search("q=react", &st);
    cr_expect_eq(json_integer_value(json_object_get(r, "total")), 1);
    cr_expect(titles_contain(r, titles[1]));
    json_decref(r);
    r = search("employment_type=contract", &st);
    cr_expect_eq(json_integer_value(json_object_get(r, "total")), 1);
    json_decref(r);
    r = search("limit=2", &st);
    cr_expect_eq(json_array_size(json_object_get(r, "items")), 2);
    cr_expect_eq(json_integer_value(json_object_get(r, "next_offset")), 2);
    json_decref(r);
    r = search("limit=101", &st);
    cr_expect_eq(st, 400);
    cr_expect_str_eq(error_field(r), "limit");
    json_decref(r);
    r = search("employment_type=forever", &st);
    cr_expect_eq(st, 400);
    json_decref(r);
    /* cached list, then an edit: the change shows at once (invalidation by key) */
    r = search("q=react", &st);
    json_decref(r);
    char *jb = bt_job_body(cid, "Frontend Engineer (React 18)");
    json_t *j = json_loads(jb, 0, NULL);
    json_object_del(j, "company_id");
    json_object_set_new(j, "description", json_string("React web UI"));
    free(jb);
    jb = json_dumps(j, JSON_COMPACT);
    json_decref(bt_req(&B, "PUT", bt_path("/api/v1/jobs/%lld", ids[1]), mgr, jb, &st));
    cr_expect_eq(st, 200);
    free(jb);
    json_decref(j);
    r = search("q=react", &st);
    cr_expect(titles_contain(r, "Frontend Engineer (React 18)"), "%s", json_dumps(r, 0));
    json_decref(r);
    r = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld", ids[1]), NULL, NULL, &st);
    cr_expect_str_eq(json_string_value(json_object_get(r, "title")),
                     "Frontend Engineer (React 18)");
    cr_expect_str_eq(json_string_value(json_object_get(r, "status")), "open");
    json_decref(r);
    json_decref(bt_req(&B, "DELETE", bt_path("/api/v1/jobs/%lld", ids[2]), mgr, NULL, &st));
    cr_expect_eq(st, 204);
    r = search("", &st);
    cr_expect_eq(json_integer_value(json_object_get(r, "total")), 2);
    json_decref(r);
    free(mgr);
}

Test(validation, static_ui_stays_in_its_root, .init = setup, .fini = teardown, .timeout = 60)
{
    long st;
    char dir[700], path[800];
    snprintf(dir, sizeof dir, "%s/web", B.tmp);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/index.html", dir);
    FILE *f = fopen(path, "w");
    fputs("<!doctype html><title>kocruit</title>", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/secret.db", B.tmp);
    f = fopen(path, "w");
    fputs("secret", f);
    fclose(f);
    char *out = NULL;
    char url[200];
    snprintf(url, sizeof url, "%s/", B.base);
    cr_expect_eq(kc_test_http("GET", url, NULL, NULL, &st, &out), 0);
    cr_expect_eq(st, 200);
    cr_expect(out && strstr(out, "kocruit"));
    free(out);
    const char *bad[] = {"/..%2Fsecret.db", "/%2E%2E/secret.db", "/.hidden", "/secret.db",
                         "/assets/..%2F..%2Fsecret.db"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(url, sizeof url, "%s%s", B.base, bad[i]);
        out = NULL;
        kc_test_http("GET", url, NULL, NULL, &st, &out);
        cr_expect(st == 404 || st == 400, "%s: %ld", bad[i], st);
        cr_expect(!out || !strstr(out, "secret"), "%s leaked", bad[i]);
        free(out);
    }
}

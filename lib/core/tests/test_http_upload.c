/*
 * test_http_upload.c — streamed uploads and the guard:
 *  - a 5 MB multipart file arrives with the size and sha256 that `sha256sum` computes, next
 *    to text fields; its temp file is gone after the request;
 *  - a raw (application/octet-stream) body becomes one file part "file";
 *  - a handler can move an upload away and keep it;
 *  - limits: too many files, an overlong text field, a body over the route limit, a truncated
 *    multipart body, a multipart type without boundary — each a 4xx, no temp file left;
 *  - the guard answers 401 from the headers alone: a request announcing 100 MB gets its 401
 *    although not one body byte was sent.
 * Each test uses its own upload directory and checks it is empty at the end.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_http_util.h"

static char upload_dir[300], work_dir[256];
static struct kc_http_server *srv;
static atomic_int handler_calls;

static void describe(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&handler_calls, 1);
    json_t *files = json_array();
    for (size_t i = 0; i < kc_req_file_count(req); i++) {
        const struct kc_upload_file *f = kc_req_file(req, i);
        struct stat st;
        int on_disk = stat(f->path, &st) == 0 && (uint64_t)st.st_size == f->size;
        json_array_append_new(
            files, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:b}", "field", f->field, "filename",
                             f->filename, "content_type", f->content_type, "path", f->path, "size",
                             (json_int_t)f->size, "sha256", f->sha256_hex, "on_disk", on_disk));
    }
    cr_assert_null(kc_req_file(req, kc_req_file_count(req)));
    const char *title = kc_req_form(req, "title"), *note = kc_req_form(req, "note");
    kc_resp_json(resp, 200,
                 json_pack("{s:o, s:s?, s:s?}", "files", files, "title", title, "note", note));
}

static void keep(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    char dst[512];
    const struct kc_upload_file *f = kc_req_file(req, 0);
    cr_assert_not_null(f);
    snprintf(dst, sizeof dst, "%s/kept", work_dir);
    cr_assert_eq(rename(f->path, dst), 0);
    kc_resp_json(resp, 201, json_pack("{s:s}", "kept", dst));
}

static int guard(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    if (!route->auth) return 0;
    const char *h = kc_req_header(req, "Authorization");
    if (h && strcmp(h, "Bearer good") == 0) return 0;
    kc_resp_errorf(resp, KC_E_UNAUTHORIZED, NULL, "sign in first");
    return -1;
}

static const struct kc_route routes[] = {
    {.method = "POST",
     .pattern = "/upload",
     .handler = describe,
     .body = KC_BODY_UPLOAD,
     .max_body = 16 * 1024 * 1024},
    {.method = "POST",
     .pattern = "/small",
     .handler = describe,
     .body = KC_BODY_UPLOAD,
     .max_body = 64 * 1024},
    {.method = "POST", .pattern = "/keep", .handler = keep, .body = KC_BODY_UPLOAD},
    {.method = "POST",
     .pattern = "/private",
     .handler = describe,
     .body = KC_BODY_UPLOAD,
     .max_body = 200 * 1024 * 1024,
     .auth = 1},
};

static void setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(work_dir, sizeof work_dir, "/tmp/kc-upload-test-XXXXXX");
    cr_assert_not_null(mkdtemp(work_dir));
    snprintf(upload_dir, sizeof upload_dir, "%s/uploads", work_dir);
    cr_assert_eq(mkdir(upload_dir, 0700), 0);
    atomic_store(&handler_calls, 0);
    struct kc_http_config cfg = {.upload_dir = upload_dir};
    srv = th_start(routes, sizeof routes / sizeof routes[0], &cfg);
    kc_http_set_guard(srv, guard, NULL);
}

/* Wait (the completion callback runs just after the response is sent) until the upload
 * directory is empty. */
static int upload_dir_empty(void)
{
    for (int tries = 0; tries < 500; tries++) {
        DIR *d = opendir(upload_dir);
        int n = 0;
        for (struct dirent *e = readdir(d); e; e = readdir(d))
            if (e->d_name[0] != '.') n++;
        closedir(d);
        if (n == 0) return 1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void teardown(void)
{
    kc_http_free(srv);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work_dir);
    cr_assert_eq(system(cmd), 0);
    curl_global_cleanup();
}

TestSuite(upload, .init = setup, .fini = teardown);

/* A deterministic pseudo-random file of n bytes; returns its path in buf. */
static const char *make_file(const char *name, size_t n, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", work_dir, name);
    FILE *f = fopen(buf, "wb");
    cr_assert_not_null(f);
    uint64_t x = 0x9E3779B97F4A7C15ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        fputc((int)(x & 0xff), f);
    }
    fclose(f);
    return buf;
}

static void sha256sum(const char *path, char out[65])
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_eq(fscanf(p, "%64s", out), 1);
    pclose(p);
}

struct part {
    const char *name, *file, *value, *type;
};

/* POST multipart parts to path; fills r. */
static void post_mime(const char *path, const struct part *parts, size_t n, const char *auth,
                      struct th_resp *r)
{
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    for (size_t i = 0; i < n; i++) {
        curl_mimepart *p = curl_mime_addpart(mime);
        curl_mime_name(p, parts[i].name);
        if (parts[i].file)
            curl_mime_filedata(p, parts[i].file);
        else
            curl_mime_data(p, parts[i].value, CURL_ZERO_TERMINATED);
        if (parts[i].type) curl_mime_type(p, parts[i].type);
    }
    char *body = NULL, *hdrs = NULL;
    size_t blen = 0, hlen = 0;
    FILE *bf = open_memstream(&body, &blen), *hf = open_memstream(&hdrs, &hlen);
    struct curl_slist *hl = NULL;
    char authh[128];
    if (auth) {
        snprintf(authh, sizeof authh, "Authorization: %s", auth);
        hl = curl_slist_append(hl, authh);
    }
    curl_easy_setopt(c, CURLOPT_URL, th_url(srv, path));
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, bf);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, hf);
    memset(r, 0, sizeof *r);
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    fclose(bf);
    fclose(hf);
    r->body = body;
    r->len = blen;
    r->headers = hdrs;
    curl_slist_free_all(hl);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
}

Test(upload, multipart_5mb_streams_with_sha256)
{
    char path[512], sum[65];
    make_file("video.bin", 5 * 1000 * 1000, path, sizeof path);
    sha256sum(path, sum);
    const struct part parts[] = {
        {.name = "title", .value = "Interview \xec\x98\x81\xec\x83\x81"},
        {.name = "video", .file = path, .type = "video/webm"},
        {.name = "note", .value = "second field"},
    };
    struct th_resp r;
    post_mime("/upload", parts, 3, NULL, &r);
    cr_assert_eq(r.rc, CURLE_OK);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = th_json(&r);
    json_t *f = json_array_get(json_object_get(j, "files"), 0);
    cr_assert_eq(json_array_size(json_object_get(j, "files")), 1u);
    cr_assert_eq(json_integer_value(json_object_get(f, "size")), 5000000);
    cr_assert_str_eq(json_string_value(json_object_get(f, "sha256")), sum);
    cr_assert_str_eq(json_string_value(json_object_get(f, "field")), "video");
    cr_assert_str_eq(json_string_value(json_object_get(f, "filename")), "video.bin");
    cr_assert_str_eq(json_string_value(json_object_get(f, "content_type")), "video/webm");
    cr_assert(json_is_true(json_object_get(f, "on_disk")), "the file was on disk for the handler");
    const char *tmp = json_string_value(json_object_get(f, "path"));
    cr_assert(strncmp(tmp, upload_dir, strlen(upload_dir)) == 0, "%s", tmp);
    cr_assert_str_eq(json_string_value(json_object_get(j, "title")),
                     "Interview \xec\x98\x81\xec\x83\x81");
    cr_assert_str_eq(json_string_value(json_object_get(j, "note")), "second field");
    cr_assert(upload_dir_empty(), "temp file removed after the request");
    json_decref(j);
    th_resp_free(&r);
}

Test(upload, several_files_and_empty_file)
{
    char a[512], b[512], e[512], sa[65], sb[65], se[65];
    make_file("a.txt", 1000, a, sizeof a);
    make_file("b.pdf", 70000, b, sizeof b);
    make_file("empty", 0, e, sizeof e);
    sha256sum(a, sa);
    sha256sum(b, sb);
    sha256sum(e, se);
    const struct part parts[] = {
        {.name = "a", .file = a}, {.name = "b", .file = b}, {.name = "e", .file = e}};
    struct th_resp r;
    post_mime("/upload", parts, 3, NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = th_json(&r);
    json_t *files = json_object_get(j, "files");
    cr_assert_geq(json_array_size(files), 2u);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 0), "sha256")), sa);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 1), "sha256")), sb);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(files, 1), "size")), 70000);
    if (json_array_size(files) == 3) /* an empty part may or may not be reported */
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 2), "sha256")),
                         se);
    json_decref(j);
    th_resp_free(&r);
    cr_assert(upload_dir_empty());
}

Test(upload, raw_body_is_one_file_part)
{
    char path[512], sum[65];
    make_file("raw.bin", 300000, path, sizeof path);
    sha256sum(path, sum);
    FILE *f = fopen(path, "rb");
    char *data = malloc(300000);
    cr_assert_eq(fread(data, 1, 300000, f), 300000u);
    fclose(f);
    static const char *const h[] = {"Content-Type: application/octet-stream", NULL};
    struct th_resp r;
    th_request(NULL, "POST", th_url(srv, "/upload"), h, data, 300000, 1, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = th_json(&r);
    json_t *fj = json_array_get(json_object_get(j, "files"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(fj, "field")), "file");
    cr_assert_str_eq(json_string_value(json_object_get(fj, "filename")), "");
    cr_assert_str_eq(json_string_value(json_object_get(fj, "content_type")),
                     "application/octet-stream");
    cr_assert_eq(json_integer_value(json_object_get(fj, "size")), 300000);
    cr_assert_str_eq(json_string_value(json_object_get(fj, "sha256")), sum);
    json_decref(j);
    th_resp_free(&r);
    free(data);
    cr_assert(upload_dir_empty());
}

Test(upload, handler_can_keep_a_file)
{
    char path[512], sum[65], kept_sum[65];
    make_file("k.bin", 4096, path, sizeof path);
    sha256sum(path, sum);
    const struct part parts[] = {{.name = "doc", .file = path}};
    struct th_resp r;
    post_mime("/keep", parts, 1, NULL, &r);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    cr_assert(upload_dir_empty());
    char kept[512];
    snprintf(kept, sizeof kept, "%s/kept", work_dir);
    sha256sum(kept, kept_sum);
    cr_assert_str_eq(kept_sum, sum, "the moved file is intact and was not removed");
}

static void expect_4xx(struct th_resp *r, long status, const char *code)
{
    char c[64], m[256];
    cr_assert_eq(r->status, status, "%s", r->body);
    th_error(r, c, sizeof c, m, sizeof m);
    cr_assert_str_eq(c, code, "%s", r->body);
    th_resp_free(r);
    cr_assert_eq(atomic_load(&handler_calls), 0);
    cr_assert(upload_dir_empty(), "no temp file left behind");
}

Test(upload, too_many_files)
{
    char path[512];
    make_file("t.bin", 10, path, sizeof path);
    struct part parts[17];
    for (int i = 0; i < 17; i++) parts[i] = (struct part){.name = "f", .file = path};
    struct th_resp r;
    post_mime("/upload", parts, 17, NULL, &r);
    expect_4xx(&r, 400, "bad_request");
}

Test(upload, overlong_text_field)
{
    char *v = malloc(70000);
    memset(v, 'v', 69999);
    v[69999] = '\0';
    const struct part parts[] = {{.name = "title", .value = v}};
    struct th_resp r;
    post_mime("/upload", parts, 1, NULL, &r);
    free(v);
    expect_4xx(&r, 413, "payload_too_large");
}

Test(upload, over_route_limit)
{
    char path[512];
    make_file("big.bin", 100000, path, sizeof path);
    const struct part parts[] = {{.name = "f", .file = path}};
    struct th_resp r;
    post_mime("/small", parts, 1, NULL, &r);
    expect_4xx(&r, 413, "payload_too_large");
}

Test(upload, truncated_multipart)
{
    static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                               "filename=\"a.txt\"\r\n\r\nsome data without the closing boundary";
    static const char *const h[] = {"Content-Type: multipart/form-data; boundary=XyZ", NULL};
    struct th_resp r;
    th_request(NULL, "POST", th_url(srv, "/upload"), h, body, sizeof body - 1, 0, &r);
    expect_4xx(&r, 400, "bad_request");
}

Test(upload, multipart_without_boundary)
{
    static const char *const h[] = {"Content-Type: multipart/form-data", NULL};
    struct th_resp r;
    th_request(NULL, "POST", th_url(srv, "/upload"), h, "x", 1, 0, &r);
    expect_4xx(&r, 400, "bad_request");
}

Test(upload, guard_refuses_before_the_body)
{
    /* Announce 100 MB and send none of it: only an answer from the headers can arrive. */
    char req[512], out[4096];
    snprintf(req, sizeof req,
             "POST /private HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
             "Content-Length: 100000000\r\n\r\n");
    th_raw(kc_http_port(srv), req, strlen(req), out, sizeof out, 10000);
    cr_assert(strncmp(out, "HTTP/1.1 401", 12) == 0, "got: %s", out);
    cr_assert(strstr(out, "\"code\":\"unauthorized\""), "%s", out);
    cr_assert(strstr(out, "sign in first"), "%s", out);
    cr_assert_eq(atomic_load(&handler_calls), 0);
    cr_assert(upload_dir_empty(), "no temp file was created");
    /* with credentials the same route works */
    char path[512];
    make_file("p.bin", 1000, path, sizeof path);
    const struct part parts[] = {{.name = "f", .file = path}};
    struct th_resp r;
    post_mime("/private", parts, 1, "Bearer good", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    post_mime("/private", parts, 1, "Bearer bad", &r);
    cr_assert_eq(r.status, 401, "%s", r.body);
    th_resp_free(&r);
}

Test(upload, client_vanishing_mid_upload_leaves_nothing)
{
    char req[512], out[256];
    snprintf(req, sizeof req,
             "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
             "Content-Length: 1000000\r\n\r\n");
    size_t head = strlen(req);
    size_t total = head + 200000;
    char *buf = malloc(total);
    memcpy(buf, req, head);
    memset(buf + head, 'q', total - head);
    /* sends 200 kB of the announced 1 MB, then closes */
    th_raw(kc_http_port(srv), buf, total, out, sizeof out, 300);
    free(buf);
    cr_assert(upload_dir_empty(), "the partial temp file is removed when the client goes");
    cr_assert_eq(atomic_load(&handler_calls), 0);
    char path[512];
    make_file("after.bin", 10, path, sizeof path);
    const struct part parts[] = {{.name = "f", .file = path}};
    struct th_resp r;
    post_mime("/upload", parts, 1, NULL, &r);
    cr_assert_eq(r.status, 200, "the server still works: %s", r.body);
    th_resp_free(&r);
}

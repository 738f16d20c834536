/*
 * web.c — static hosting of the web UI from KOCRUIT_WEB_DIR (default <repo>/frontend/dist,
 * else <repo>/frontend).
 *
 * Path safety: the router only hands over one path segment ("/{file}" or
 * "/assets/{file}"); the name must be 1-100 characters of [A-Za-z0-9._-], must not start
 * with '.', and must have a known extension (which also fixes the Content-Type). Nothing
 * else a client sends reaches the file system, so "..", encoded slashes or absolute paths
 * cannot escape the root. "/" and extension-less names (client-side routes such as /jobs)
 * serve index.html.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {NULL, NULL},
};

static int safe_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 100 || s[0] == '.') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (int i = 0; dot && types[i].ext; i++)
        if (!strcmp(dot, types[i].ext)) return types[i].type;
    return NULL;
}

void kc_api_web(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    const char *file = kc_req_param(req, "file");
    int asset = !strncmp(kc_req_path(req), "/assets/", 8);
    char path[900];
    struct stat st;
    if (!app->web_dir[0]) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no web UI is installed");
    if (file && !safe_name(file)) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such file");
    if (!file || (!asset && !strchr(file, '.'))) file = "index.html";
    const char *type = type_of(file);
    if (!type) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such file");
    snprintf(path, sizeof path, "%s/%s%s", app->web_dir, asset ? "assets/" : "", file);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such file");
    kc_resp_header(resp, "X-Content-Type-Options", "nosniff");
    kc_resp_header(resp, "Cache-Control", asset ? "public, max-age=3600" : "no-cache");
    kc_resp_file(resp, 200, type, path);
}

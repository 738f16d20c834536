/*
 * http_router.c — route table, request-target parsing and percent-decoding.
 *
 * Design
 *  - Routes are kept twice: in registration order (srv->routes, for kc_http_route_at and the
 *    OpenAPI document) and in a trie keyed by path segment (srv->root) for matching. A trie
 *    node has literal children, at most one parameter child (`{name}`, which matches any one
 *    non-empty segment) and the routes that end at it, one per method.
 *  - Matching is a depth-first walk over the decoded segments that tries the literal child
 *    before the parameter child, so "/jobs/search" beats "/jobs/{id}" and a failed literal
 *    branch falls back to the parameter. When no route has the request's method, the walk
 *    has visited every node the path reaches and their methods form the Allow header of the
 *    405; no node at all means 404. HEAD is served by a GET route unless HEAD is registered.
 *  - Trailing-slash policy: strict. "/jobs/" has an empty last segment, which no literal or
 *    parameter matches, so it answers 404 even when "/jobs" exists (no redirects: an API
 *    client should use the documented path). "/" is the only path with no segments.
 *  - Percent-decoding happens per segment after splitting on '/', so "%2F" is data inside a
 *    parameter, never a separator. A target is rejected (400) when a segment decodes to a NUL
 *    byte, when a segment (or a '/'-separated part of a decoded segment) is "." or "..", when
 *    an escape is malformed, or when the path exceeds KC_HTTP_MAX_PATH bytes. Query values
 *    are decoded on lookup ('+' is a space, as in HTML forms).
 *
 * The table is built before kc_http_start and read-only afterwards: matching takes no lock.
 */
#include "http_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kc_rnode {
    char *seg; /* literal segment; NULL for the parameter node */
    struct kc_rnode *child, *sibling;
    struct kc_rnode *param;
    struct kc_route_entry *routes;
};

static const struct {
    const char *name;
    unsigned bit;
} methods[] = {{"GET", KC_M_GET},        {"HEAD", KC_M_HEAD},   {"POST", KC_M_POST},
               {"PUT", KC_M_PUT},        {"PATCH", KC_M_PATCH}, {"DELETE", KC_M_DELETE},
               {"OPTIONS", KC_M_OPTIONS}};

unsigned kc_http_method_bit(const char *method)
{
    for (size_t i = 0; method && i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(method, methods[i].name) == 0) return methods[i].bit;
    return 0;
}

void kc_router_allow_string(unsigned allow, char *buf, size_t cap)
{
    size_t n = 0;
    if (allow & KC_M_GET) allow |= KC_M_HEAD;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (!(allow & methods[i].bit)) continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", methods[i].name);
        if (w < 0 || (size_t)w >= cap - n) break;
        n += (size_t)w;
    }
}

/* --- route registration --- */

static int valid_param_name(const char *s, size_t n)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

/* Check one pattern segment [s, s+n): a literal or "{name}". Returns 1 for a parameter, 0 for
 * a literal, -1 when malformed. */
static int classify_segment(const char *s, size_t n)
{
    if (n == 0) return -1;
    if (s[0] == '{') return (n >= 3 && s[n - 1] == '}' && valid_param_name(s + 1, n - 2)) ? 1 : -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '{' || s[i] == '}' || s[i] == '%' || s[i] == '?' || s[i] == '#') return -1;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return -1;
    return 0;
}

static struct kc_rnode *node_child(struct kc_rnode *n, const char *seg, size_t len, int param)
{
    if (param) {
        if (!n->param) n->param = calloc(1, sizeof *n->param);
        return n->param;
    }
    for (struct kc_rnode *c = n->child; c; c = c->sibling)
        if (strlen(c->seg) == len && memcmp(c->seg, seg, len) == 0) return c;
    struct kc_rnode *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->seg = strndup(seg, len);
    if (!c->seg) {
        free(c);
        return NULL;
    }
    c->sibling = n->child;
    n->child = c;
    return c;
}

/* Parse the pattern into e (segment count, parameter names and positions). */
static int parse_pattern(struct kc_route_entry *e, const char *pattern, struct kc_err *err)
{
    if (!pattern || pattern[0] != '/')
        return kc_err_set(err, KC_E_INVALID, "route pattern '%s' must start with '/'",
                          pattern ? pattern : "(null)");
    e->names_buf = strdup(pattern);
    if (!e->names_buf) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    const char *p = pattern + 1;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int kind = classify_segment(p, n);
        if (kind < 0 || e->nsegs >= KC_HTTP_MAX_SEGMENTS || (end && end[1] == '\0'))
            return kc_err_set(err, KC_E_INVALID, "malformed route pattern '%s'", pattern);
        if (kind == 1) {
            if (e->nparams >= KC_HTTP_MAX_PARAMS)
                return kc_err_set(err, KC_E_INVALID, "route '%s' has too many parameters", pattern);
            char *name = e->names_buf + (p + 1 - pattern);
            name[n - 2] = '\0';
            for (size_t i = 0; i < e->nparams; i++)
                if (strcmp(e->param_names[i], name) == 0)
                    return kc_err_set(err, KC_E_INVALID, "route '%s' repeats parameter '%s'",
                                      pattern, name);
            e->param_names[e->nparams] = name;
            e->param_pos[e->nparams++] = e->nsegs;
        }
        e->nsegs++;
        p += n + (end ? 1 : 0);
    }
    return 0;
}

/* Walk/extend the trie along the pattern; returns the final node. */
static struct kc_rnode *insert_path(struct kc_rnode *root, const char *pattern)
{
    struct kc_rnode *n = root;
    const char *p = pattern + 1;
    while (n && *p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        n = node_child(n, p, len, p[0] == '{');
        p += len + (end ? 1 : 0);
    }
    return n;
}

static void entry_free(struct kc_route_entry *e)
{
    if (!e) return;
    free(e->names_buf);
    free(e->metric_route);
    free(e->metric_labels);
    free(e);
}

int kc_router_add(struct kc_http_server *srv, const struct kc_route *route, struct kc_err *err)
{
    unsigned bit = kc_http_method_bit(route->method);
    if (!bit)
        return kc_err_set(err, KC_E_INVALID, "route method '%s' is not supported",
                          route->method ? route->method : "(null)");
    if (!route->handler) return kc_err_set(err, KC_E_INVALID, "route has no handler");
    struct kc_route_entry *e = calloc(1, sizeof *e);
    if (!e) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    e->r = *route;
    e->method_bit = bit;
    if (parse_pattern(e, route->pattern, err) < 0) {
        entry_free(e);
        return -1;
    }
    size_t cap = strlen(route->pattern) * 2 + 1;
    e->metric_route = malloc(cap);
    e->metric_labels = malloc(cap + 32);
    if (!srv->root) srv->root = calloc(1, sizeof *srv->root);
    struct kc_rnode *node = srv->root ? insert_path(srv->root, route->pattern) : NULL;
    if (!e->metric_route || !e->metric_labels || !node) {
        entry_free(e);
        return kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    kc_metrics_label_escape(e->metric_route, cap, route->pattern);
    snprintf(e->metric_labels, cap + 32, "route=\"%s\",method=\"%s\"", e->metric_route,
             route->method);
    for (struct kc_route_entry *o = node->routes; o; o = o->next_here) {
        if (o->method_bit == bit) {
            entry_free(e);
            return kc_err_set(err, KC_E_CONFLICT, "duplicate route %s %s (same as %s)",
                              route->method, route->pattern, o->r.pattern);
        }
    }
    if (srv->nroutes == srv->routes_cap) {
        size_t ncap = srv->routes_cap ? srv->routes_cap * 2 : 16;
        struct kc_route_entry **r = realloc(srv->routes, ncap * sizeof *r);
        if (!r) {
            entry_free(e);
            return kc_err_set(err, KC_E_NOMEM, "out of memory");
        }
        srv->routes = r;
        srv->routes_cap = ncap;
    }
    srv->routes[srv->nroutes++] = e;
    e->next_here = node->routes;
    node->routes = e;
    return 0;
}

static void node_free(struct kc_rnode *n)
{
    while (n) {
        struct kc_rnode *next = n->sibling;
        node_free(n->child);
        node_free(n->param);
        free(n->seg);
        free(n);
        n = next;
    }
}

void kc_router_free(struct kc_http_server *srv)
{
    for (size_t i = 0; i < srv->nroutes; i++) entry_free(srv->routes[i]);
    free(srv->routes);
    node_free(srv->root);
    srv->routes = NULL;
    srv->root = NULL;
    srv->nroutes = srv->routes_cap = 0;
}

/* --- matching --- */

static const struct kc_route_entry *match_node(const struct kc_rnode *n, struct kc_req *req,
                                               size_t i, unsigned *allow)
{
    if (i == req->nsegs) {
        const struct kc_route_entry *get = NULL;
        for (const struct kc_route_entry *e = n->routes; e; e = e->next_here) {
            *allow |= e->method_bit;
            if (e->method_bit == req->method_bit) return e;
            if (req->method_bit == KC_M_HEAD && e->method_bit == KC_M_GET) get = e;
        }
        return get;
    }
    const char *seg = req->segs[i];
    for (const struct kc_rnode *c = n->child; c; c = c->sibling) {
        if (strcmp(c->seg, seg) != 0) continue;
        const struct kc_route_entry *e = match_node(c, req, i + 1, allow);
        if (e) return e;
        break;
    }
    if (n->param && seg[0]) return match_node(n->param, req, i + 1, allow);
    return NULL;
}

const struct kc_route_entry *kc_router_match(const struct kc_http_server *srv, struct kc_req *req,
                                             unsigned *allow)
{
    *allow = 0;
    if (!srv->root || req->nsegs > KC_HTTP_MAX_SEGMENTS) return NULL;
    const struct kc_route_entry *e = match_node(srv->root, req, 0, allow);
    if (!e) return NULL;
    for (size_t i = 0; i < e->nparams; i++) req->params[i] = req->segs[e->param_pos[i]];
    return e;
}

/* --- target parsing and decoding --- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode [s, s+n) into dst (n+1 bytes). Returns the decoded length, or -1 on a malformed
 * escape. */
static long percent_decode(const char *s, size_t n, char *dst, int plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            dst[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            dst[o++] = (plus_is_space && s[i] == '+') ? ' ' : s[i];
        }
    }
    dst[o] = '\0';
    return (long)o;
}

/* "." or ".." as a whole segment or as a '/'-separated part of a decoded segment. */
static int has_dot_segment(const char *s)
{
    const char *p = s;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 1;
        if (!end) return 0;
        p = end + 1;
    }
}

static int split_path(struct kc_req *req, struct kc_err *err)
{
    const char *p = req->path + 1;
    req->nsegs = 0;
    if (!*p) return 0;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *dec = kc_req_alloc(req, n + 1);
        if (!dec) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        long len = percent_decode(p, n, dec, 0);
        if (len < 0) return kc_err_set(err, KC_E_BAD_REQUEST, "path has a malformed %%-escape");
        if (memchr(dec, '\0', (size_t)len))
            return kc_err_set(err, KC_E_BAD_REQUEST, "path contains a NUL byte");
        if (has_dot_segment(dec))
            return kc_err_set(err, KC_E_BAD_REQUEST, "path contains a '.' or '..' segment");
        if (req->nsegs < KC_HTTP_MAX_SEGMENTS) req->segs[req->nsegs] = dec;
        req->nsegs++;
        if (!end) return 0;
        p = end + 1;
    }
}

static int validate_query(const char *q, struct kc_err *err)
{
    for (const char *p = q; *p; p++) {
        if (*p != '%') continue;
        int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
        if (hi < 0 || lo < 0)
            return kc_err_set(err, KC_E_BAD_REQUEST, "query string has a malformed %%-escape");
        if (hi == 0 && lo == 0)
            return kc_err_set(err, KC_E_BAD_REQUEST, "query string contains a NUL byte");
        p += 2;
    }
    return 0;
}

int kc_router_parse_target(struct kc_req *req, struct kc_err *err)
{
    if (req->uri_too_long || !req->uri)
        return kc_err_set(err, KC_E_BAD_REQUEST, "request target longer than %d bytes",
                          KC_HTTP_MAX_URI);
    const char *t = req->uri;
    if (t[0] != '/') {
        /* absolute-form (RFC 9112 3.2.2): skip "scheme://authority" */
        const char *sep = strstr(t, "://");
        t = sep ? strchr(sep + 3, '/') : NULL;
        if (!t) return kc_err_set(err, KC_E_BAD_REQUEST, "request target is not a path");
    }
    size_t plen = strcspn(t, "?#");
    if (plen > KC_HTTP_MAX_PATH)
        return kc_err_set(err, KC_E_BAD_REQUEST, "path longer than %d bytes", KC_HTTP_MAX_PATH);
    req->path = kc_req_strndup(req, t, plen);
    if (!req->path) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    if (t[plen] == '?') {
        size_t qlen = strcspn(t + plen + 1, "#");
        req->query = kc_req_strndup(req, t + plen + 1, qlen);
        if (!req->query) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        if (validate_query(req->query, err) < 0) return -1;
    }
    return split_path(req, err);
}

const char *kc_req_query(const struct kc_req *creq, const char *name)
{
    struct kc_req *req = (struct kc_req *)creq; /* lookup decodes into the request arena */
    if (!req->query || !name) return NULL;
    size_t want = strlen(name);
    const char *p = req->query;
    while (*p) {
        size_t n = strcspn(p, "&");
        size_t klen = strcspn(p, "=&");
        char key[256];
        if (klen < sizeof key && percent_decode(p, klen, key, 1) == (long)want &&
            memcmp(key, name, want) == 0) {
            const char *v = p + klen;
            size_t vlen = 0;
            if (*v == '=') v++, vlen = n - klen - 1;
            char *out = kc_req_alloc(req, vlen + 1);
            if (!out || percent_decode(v, vlen, out, 1) < 0) return NULL;
            return out;
        }
        p += n + (p[n] == '&');
    }
    return NULL;
}

const char *kc_req_param(const struct kc_req *req, const char *name)
{
    if (!req->route || !name) return NULL;
    for (size_t i = 0; i < req->route->nparams; i++)
        if (strcmp(req->route->param_names[i], name) == 0) return req->params[i];
    return NULL;
}

/*
 * api_body.c — JSON bodies with field-naming UTF-8 errors. See api_body.h.
 *
 * The tokenizer only needs structure, not values: it follows { } [ ] , : and strings, keeping
 * a stack of frames (object: last key and whether a key is expected; array: element index).
 * Malformed JSON elsewhere is not its business (jansson already reported it); it stops at the
 * first invalid string or at the end.
 */
#include "api_body.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text/utf8.h"

#define MAX_DEPTH 32

struct frame {
    bool object, want_key;
    char key[64];
    size_t index;
};

static void build_path(const struct frame *st, int depth, char *path, size_t cap)
{
    size_t n = 0;
    path[0] = '\0';
    for (int i = 0; i < depth && n < cap; i++) {
        if (st[i].object)
            n += (size_t)snprintf(path + n, cap - n, "%s%s", n ? "." : "", st[i].key);
        else
            n += (size_t)snprintf(path + n, cap - n, "[%zu]", st[i].index);
    }
}

/* End of the string starting after the quote at body[i] (index of the closing quote). */
static size_t string_end(const char *body, size_t len, size_t i)
{
    for (size_t j = i; j < len; j++) {
        if (body[j] == '\\')
            j++;
        else if (body[j] == '"')
            return j;
    }
    return len;
}

int kc_api_utf8_locate(const char *body, size_t len, char *path, size_t cap, size_t *offset)
{
    struct frame st[MAX_DEPTH];
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if ((c == '{' || c == '[') && depth < MAX_DEPTH) {
            st[depth++] = (struct frame){.object = c == '{', .want_key = c == '{'};
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ',' && depth > 0) {
            if (st[depth - 1].object)
                st[depth - 1].want_key = true;
            else
                st[depth - 1].index++;
        } else if (c == '"') {
            size_t end = string_end(body, len, i + 1);
            size_t bad = 0;
            bool is_key = depth > 0 && st[depth - 1].object && st[depth - 1].want_key;
            bool invalid = kc_utf8_validate(body + i + 1, end - i - 1, &bad, NULL, NULL) != 0;
            if (is_key) {
                struct frame *f = &st[depth - 1];
                snprintf(f->key, sizeof f->key, "%.*s", (int)(end - i - 1), body + i + 1);
                f->want_key = false;
            }
            if (invalid) {
                build_path(st, depth, path, cap);
                *offset = i + 1 + bad;
                return 1;
            }
            i = end;
        }
    }
    return 0;
}

json_t *kc_api_json(struct kc_req *req, struct kc_err *err)
{
    struct kc_err jerr = {0};
    json_t *j = kc_req_json(req, &jerr);
    if (!j) {
        size_t len = 0, off = 0;
        const char *body = kc_req_body(req, &len);
        char path[256];
        if (jerr.code == KC_E_BAD_REQUEST && body &&
            kc_api_utf8_locate(body, len, path, sizeof path, &off)) {
            kc_err_field(err, KC_E_INVALID, path[0] ? path : "body",
                         "%s: invalid UTF-8 (byte %zu of the body)", path[0] ? path : "body", off);
        } else if (err) {
            *err = jerr;
        }
        return NULL;
    }
    if (!json_is_object(j)) {
        kc_err_set(err, KC_E_BAD_REQUEST, "the body must be a JSON object");
        return NULL;
    }
    return j;
}

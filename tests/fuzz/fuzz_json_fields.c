/*
 * fuzz_json_fields.c — libFuzzer target for the handler JSON helpers of lib/core/http_json.c.
 *
 * Design: the input is parsed the way kc_req_json does (jansson, JSON_REJECT_DUPLICATES, by
 * length so embedded NULs are rejected by jansson, not truncated). When the result is an
 * object, every helper (kc_json_str/int/num/bool/enum) is applied to a fixed list of field
 * names — those the services use most — with both required=0 and required=1, so the absent,
 * null, wrong-type, out-of-range and too-long paths are all reached.
 * Invariants checked: a helper returns 0 or -1; on -1 the error names a field and has a
 * non-empty, NUL-terminated message; a returned string is valid (strlen within max_len).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const char *const fields[] = {"email",  "password",  "title",  "headcount",
                                     "weight", "threshold", "active", "status",
                                     "stage",  "x",         ""};
static const char *const allowed[] = {"draft", "open", "closed", NULL};

static void check_err(int rc, const struct kc_err *err)
{
    if (rc == 0) return;
    if (rc != -1) abort();
    if (strnlen(err->message, sizeof err->message) >= sizeof err->message) abort();
    if (err->message[0] == '\0') abort();
}

static void probe(const json_t *obj, const char *f, int required)
{
    struct kc_err err = {0};
    const char *s = NULL;
    int64_t i = 0;
    double d = 0;
    int b = 0;
    int rc = kc_json_str(obj, f, required, 16, &s, &err);
    check_err(rc, &err);
    if (rc == 0 && s && strlen(s) > 16) abort();
    check_err(kc_json_int(obj, f, required, -5, 1000, &i, &err), &err);
    check_err(kc_json_num(obj, f, required, 0.0, 100.0, &d, &err), &err);
    check_err(kc_json_bool(obj, f, required, &b, &err), &err);
    check_err(kc_json_enum(obj, f, required, allowed, &s, &err), &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) return 0;
    if (json_is_object(root))
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            probe(root, fields[k], 0);
            probe(root, fields[k], 1);
        }
    json_decref(root);
    return 0;
}

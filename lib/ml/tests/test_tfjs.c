/*
 * test_tfjs.c — loader validation and the public API of the TF.js runner.
 *
 * Every rejection path a bad model.json or shard can take must return NULL with a message that
 * names the problem (malformed JSON, unknown op named, unknown fused op, dangling input, cycle,
 * missing/truncated/over-long shard, unsupported dtype, shape mismatches, non-constant filters,
 * several placeholders), and the API must refuse wrong input lengths and unknown outputs.
 * Fixtures are tiny models built in memory (tensor_ref.h) and written to a temp dir.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ml/tensor_ref.h"

static char tmpdir[256];

static void make_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kc_tfjs_test_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(tfjs, .init = make_tmp, .fini = rm_tmp);

static void write_file(const char *name, const void *data, size_t n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* x[1,4,4,2] -> 3x3 conv (2->3) + bias + relu -> y */
static void small_conv(struct kc_ref_model *b)
{
    static const float w[54] = {0.1f, -0.2f, 0.3f}, bias[3] = {0.5f, -0.5f, 0.f};
    int64_t xd[4] = {-1, 4, 4, 2}, wd[4] = {3, 3, 2, 3}, bd[1] = {3};
    kc_ref_init(b);
    kc_ref_input(b, "x", xd, 4);
    kc_ref_const(b, "w", wd, 4, w);
    kc_ref_const(b, "b", bd, 1, bias);
    const char *in[] = {"x", "w", "b", NULL}, *fused[] = {"BiasAdd", "Relu", NULL};
    json_t *attr = kc_ref_node(b, "y", "_FusedConv2D", in);
    int s[4] = {1, 1, 1, 1};
    kc_ref_attr_ints(attr, "strides", s, 4);
    kc_ref_attr_str(attr, "padding", "SAME");
    kc_ref_attr_strs(attr, "fused_ops", fused);
    kc_ref_attr_int(attr, "num_args", 1);
}

static struct kc_tfjs_model *load_text(const char *json, const void *w, size_t wn,
                                       struct kc_err *err)
{
    return kc_tfjs_load_mem(json, strlen(json), w, wn, NULL, err);
}

static void expect_reject(const char *json, const void *w, size_t wn, const char *needle)
{
    struct kc_err err = {0};
    struct kc_tfjs_model *m = load_text(json, w, wn, &err);
    cr_assert_null(m, "loaded a bad model (expected '%s')", needle);
    cr_assert_neq(err.code, KC_OK);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
}

Test(tfjs, loads_runs_and_reports)
{
    struct kc_ref_model b;
    small_conv(&b);
    char *js = kc_ref_json(&b);
    write_file("model.json", js, strlen(js));
    write_file("w.bin", b.bin, b.bin_len);
    char path[400];
    snprintf(path, sizeof path, "%s/model.json", tmpdir);
    struct kc_err err = {0};
    struct kc_tfjs_model *m = kc_tfjs_load(path, NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    int64_t s[4];
    cr_assert_eq(kc_tfjs_input_shape(m, s), 0);
    cr_assert(s[0] == 1 && s[1] == 4 && s[2] == 4 && s[3] == 2, "batch -1 planned as 1");
    cr_assert_eq(kc_tfjs_output_count(m), 1u);
    cr_assert_str_eq(kc_tfjs_output_name(m, 0), "y");
    cr_assert_null(kc_tfjs_output_name(m, 1));
    cr_assert_eq(kc_tfjs_weight_bytes(m), (54 + 3) * sizeof(float));
    cr_assert_geq(kc_tfjs_arena_bytes(m), 48 * sizeof(float));
    float x[32];
    for (int i = 0; i < 32; i++) x[i] = (float)i / 8.f;
    cr_assert_neq(kc_tfjs_run(m, x, 31, &err), 0, "wrong input length accepted");
    cr_assert(strstr(err.message, "31"));
    cr_assert_eq(kc_tfjs_run(m, x, 32, &err), 0, "%s", err.message);
    int rank;
    const float *y = kc_tfjs_output(m, "y:0", s, &rank);
    cr_assert_not_null(y);
    cr_assert(rank == 4 && s[3] == 3);
    cr_assert_null(kc_tfjs_output(m, "nope", s, &rank));
    /* channel 1 has bias -0.5 and zero weights except w[1] (c=0..): check relu clamps at 0 */
    for (int i = 0; i < 16; i++) cr_assert_geq(y[i * 3 + 1], 0.f);
    /* pixel (0,0): taps (1,1),(1,2),(2,1),(2,2) cover in-image; weights 0 except the first
     * three entries (tap (0,0) only) which fall outside at (0,0) -> y = relu(bias) */
    cr_assert_float_eq(y[0], 0.5f, 1e-6);
    kc_tfjs_free(m);
    kc_tfjs_free(NULL);
    free(js);
    kc_ref_free(&b);
}

Test(tfjs, rejects_malformed_json)
{
    expect_reject("{\"modelTopology\": {\"node\": [", NULL, 0, "model.json");
    expect_reject("[1,2,3]", NULL, 0, "not an object");
    expect_reject("{\"format\":\"graph-model\"}", NULL, 0, "modelTopology.node");
    expect_reject("{\"modelTopology\":{\"node\":[{\"op\":\"Const\"}]}}", NULL, 0, "name or op");
    expect_reject("{\"modelTopology\":{\"node\":[7]}}", NULL, 0, "not an object");
}

Test(tfjs, rejects_unknown_op_by_name)
{
    const char *js = "{\"modelTopology\":{\"node\":["
                     "{\"name\":\"x\",\"op\":\"Placeholder\"},"
                     "{\"name\":\"y\",\"op\":\"FancyResizeOp\",\"input\":[\"x\"]}]}}";
    expect_reject(js, NULL, 0, "FancyResizeOp");
}

Test(tfjs, rejects_unknown_fused_op_and_missing_args)
{
    struct kc_ref_model b;
    small_conv(&b);
    json_t *attr = json_object_get(json_array_get(b.nodes, 3), "attr");
    const char *bad[] = {"BiasAdd", "Gelu", NULL};
    kc_ref_attr_strs(attr, "fused_ops", bad);
    char *js = kc_ref_json(&b);
    expect_reject(js, b.bin, b.bin_len, "Gelu");
    free(js);
    const char *prelu[] = {"BiasAdd", "Prelu", NULL}; /* Prelu needs a 4th input */
    kc_ref_attr_strs(attr, "fused_ops", prelu);
    js = kc_ref_json(&b);
    expect_reject(js, b.bin, b.bin_len, "alpha");
    free(js);
    kc_ref_free(&b);
}

Test(tfjs, rejects_dangling_input_and_cycle)
{
    const char *dangling = "{\"modelTopology\":{\"node\":["
                           "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":"
                           "{\"dim\":[{\"size\":\"4\"}]}}}},"
                           "{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"ghost\"]}]}}";
    expect_reject(dangling, NULL, 0, "ghost");
    const char *cycle = "{\"modelTopology\":{\"node\":["
                        "{\"name\":\"x\",\"op\":\"Placeholder\"},"
                        "{\"name\":\"a\",\"op\":\"AddV2\",\"input\":[\"x\",\"b\"]},"
                        "{\"name\":\"b\",\"op\":\"Relu\",\"input\":[\"a\"]},"
                        "{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"b\"]}]}}";
    expect_reject(cycle, NULL, 0, "cycle");
    const char *two = "{\"modelTopology\":{\"node\":["
                      "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":"
                      "{\"dim\":[{\"size\":\"4\"}]}}}},"
                      "{\"name\":\"z\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":"
                      "{\"dim\":[{\"size\":\"4\"}]}}}},"
                      "{\"name\":\"y\",\"op\":\"AddV2\",\"input\":[\"x\",\"z\"]}]}}";
    expect_reject(two, NULL, 0, "Placeholder");
    const char *dup = "{\"modelTopology\":{\"node\":["
                      "{\"name\":\"x\",\"op\":\"Placeholder\"},{\"name\":\"x\",\"op\":\"Relu\"}]}}";
    expect_reject(dup, NULL, 0, "two nodes");
}

Test(tfjs, rejects_missing_truncated_and_long_shards)
{
    struct kc_ref_model b;
    small_conv(&b);
    char *js = kc_ref_json(&b), path[400];
    write_file("model.json", js, strlen(js));
    snprintf(path, sizeof path, "%s/model.json", tmpdir);
    struct kc_err err = {0};
    cr_assert_null(kc_tfjs_load(path, NULL, &err));
    cr_assert(strstr(err.message, "w.bin"), "missing shard: %s", err.message);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);

    write_file("w.bin", b.bin, b.bin_len - 5);
    cr_assert_null(kc_tfjs_load(path, NULL, &err));
    cr_assert(strstr(err.message, "truncated"), "truncated shard: %s", err.message);

    unsigned char *longer = calloc(b.bin_len + 8, 1);
    memcpy(longer, b.bin, b.bin_len);
    write_file("w.bin", longer, b.bin_len + 8);
    cr_assert_null(kc_tfjs_load(path, NULL, &err));
    cr_assert(strstr(err.message, "longer"), "long shard: %s", err.message);
    expect_reject(js, longer, b.bin_len + 8, "beyond the manifest");
    expect_reject(js, b.bin, b.bin_len - 1, "truncated");
    free(longer);

    cr_assert_null(kc_tfjs_load("/nonexistent/model.json", NULL, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    free(js);
    kc_ref_free(&b);
}

static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    cr_assert_not_null(p, "fixture lacks '%s'", from);
    char *out = malloc(strlen(s) + strlen(to) + 1);
    size_t pre = (size_t)(p - s);
    memcpy(out, s, pre);
    strcpy(out + pre, to);
    strcat(out, p + strlen(from));
    return out;
}

Test(tfjs, rejects_dtype_and_shape_mismatches)
{
    struct kc_ref_model b;
    small_conv(&b);
    char *js = kc_ref_json(&b);
    char *bad = replace(js, "\"dtype\":\"float32\"", "\"dtype\":\"complex64\"");
    expect_reject(bad, b.bin, b.bin_len, "unsupported dtype");
    free(bad);
    bad = replace(js, "\"dtype\":\"float32\"",
                  "\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"int4\"}");
    expect_reject(bad, b.bin, b.bin_len, "quantization");
    free(bad);
    /* manifest says [3,3,2,3]; node says [3,3,2,4] */
    bad = replace(js, "{\"size\":\"3\"}]}}}", "{\"size\":\"4\"}]}}}");
    expect_reject(bad, b.bin, b.bin_len, "shape mismatch");
    free(bad);
    free(js);
    kc_ref_free(&b);

    /* filter expects 2 input channels, the input has 5 */
    kc_ref_init(&b);
    int64_t xd[4] = {1, 4, 4, 5}, wd[4] = {3, 3, 2, 3};
    float w[54] = {0};
    kc_ref_input(&b, "x", xd, 4);
    kc_ref_const(&b, "w", wd, 4, w);
    const char *in[] = {"x", "w", NULL};
    kc_ref_attr_str(kc_ref_node(&b, "y", "Conv2D", in), "padding", "VALID");
    js = kc_ref_json(&b);
    expect_reject(js, b.bin, b.bin_len, "channels");
    free(js);
    kc_ref_free(&b);
}

Test(tfjs, rejects_bad_attributes_and_dynamic_filters)
{
    struct kc_ref_model b;
    small_conv(&b);
    json_t *attr = json_object_get(json_array_get(b.nodes, 3), "attr");
    kc_ref_attr_str(attr, "padding", "REFLECT");
    char *js = kc_ref_json(&b);
    expect_reject(js, b.bin, b.bin_len, "padding");
    free(js);
    kc_ref_attr_str(attr, "padding", "SAME");
    int st[4] = {2, 1, 1, 1};
    kc_ref_attr_ints(attr, "strides", st, 4);
    js = kc_ref_json(&b);
    expect_reject(js, b.bin, b.bin_len, "strides");
    free(js);
    kc_ref_free(&b);

    /* a filter computed from the input is not supported (weights are packed at load) */
    kc_ref_init(&b);
    int64_t xd[4] = {1, 3, 3, 3};
    kc_ref_input(&b, "x", xd, 4);
    const char *in[] = {"x", "x", NULL};
    kc_ref_attr_str(kc_ref_node(&b, "y", "Conv2D", in), "padding", "VALID");
    js = kc_ref_json(&b);
    expect_reject(js, b.bin, b.bin_len, "filter must be a float Const");
    free(js);
    kc_ref_free(&b);
}

/*
 * test_llm_llama.c — the embedded llama.cpp provider on a tiny random-weight GGUF that the test
 * writes itself (gguf API of libggml-base, llama architecture, 2 layers of width 64, the
 * tokenizer copied from the vocab-only GGUF that ships with llama.cpp's sources). No real
 * weights exist on this machine, so the model's text is gibberish — which is the point of the
 * structured-output test: the reply cannot be JSON valid against the schema, so the provider
 * must reject it, retry with the validation error, and fail clearly after the retries.
 *   - load through dlopen (the binary is not linked with libllama) and generate free text;
 *   - greedy generation is reproducible (same prompt, same text);
 *   - structured output: invalid → retried → KC_E_UNPROCESSABLE with every rejection listed;
 *   - a prompt longer than the context is refused with a clear message;
 *   - a file that is not a GGUF and a missing library folder are clear errors.
 */
#include <criterion/criterion.h>
#include <ggml.h>
#include <gguf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "llm.h"
#include "testutil.h"

static char *tmp;
static char model_path[512];

static struct ggml_tensor *tensor(struct ggml_context *c, const char *name, int64_t n0, int64_t n1)
{
    struct ggml_tensor *t = n1 ? ggml_new_tensor_2d(c, GGML_TYPE_F32, n0, n1)
                               : ggml_new_tensor_1d(c, GGML_TYPE_F32, n0);
    ggml_set_name(t, name);
    float *d = (float *)t->data;
    int64_t n = ggml_nelements(t);
    for (int64_t i = 0; i < n; i++)
        d[i] = n1 ? ((float)rand() / (float)RAND_MAX - 0.5f) * 0.2f : 1.0f;
    return t;
}

/* A llama-architecture GGUF: E=64, 2 layers, 4 heads, FF=128, random weights (seeded). */
static void write_tiny_gguf(const char *vocab_path, const char *out)
{
    struct gguf_init_params gp = {.no_alloc = true, .ctx = NULL};
    struct gguf_context *voc = gguf_init_from_file(vocab_path, gp);
    cr_assert_not_null(voc, "cannot read the vocab %s", vocab_path);
    const int E = 64, L = 2, H = 4, FF = 128;
    int64_t V = (int64_t)gguf_get_arr_n(voc, gguf_find_key(voc, "tokenizer.ggml.tokens"));
    struct gguf_context *g = gguf_init_empty();
    gguf_set_kv(g, voc);
    gguf_set_val_str(g, "general.architecture", "llama");
    gguf_set_val_str(g, "general.name", "kocruit-test-tiny-random");
    gguf_set_val_u32(g, "llama.context_length", 512);
    gguf_set_val_u32(g, "llama.embedding_length", (uint32_t)E);
    gguf_set_val_u32(g, "llama.block_count", (uint32_t)L);
    gguf_set_val_u32(g, "llama.feed_forward_length", (uint32_t)FF);
    gguf_set_val_u32(g, "llama.attention.head_count", (uint32_t)H);
    gguf_set_val_u32(g, "llama.attention.head_count_kv", (uint32_t)H);
    gguf_set_val_u32(g, "llama.rope.dimension_count", (uint32_t)(E / H));
    gguf_set_val_f32(g, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    size_t floats = (size_t)(2 * E * V + 3 * E * FF * L + 4 * E * E * L + 8 * E);
    struct ggml_init_params ip = {.mem_size = floats * 4 + 8 * 1024 * 1024, .no_alloc = false};
    struct ggml_context *c = ggml_init(ip);
    srand(1234);
    gguf_add_tensor(g, tensor(c, "token_embd.weight", E, V));
    gguf_add_tensor(g, tensor(c, "output_norm.weight", E, 0));
    gguf_add_tensor(g, tensor(c, "output.weight", E, V));
    char nm[64];
    struct {
        const char *name;
        int64_t a, b;
    } blk[] = {
        {"attn_norm.weight", E, 0}, {"attn_q.weight", E, E},      {"attn_k.weight", E, E},
        {"attn_v.weight", E, E},    {"attn_output.weight", E, E}, {"ffn_norm.weight", E, 0},
        {"ffn_gate.weight", E, FF}, {"ffn_up.weight", E, FF},     {"ffn_down.weight", FF, E}};
    for (int l = 0; l < L; l++) {
        for (size_t i = 0; i < sizeof blk / sizeof *blk; i++) {
            snprintf(nm, sizeof nm, "blk.%d.%s", l, blk[i].name);
            gguf_add_tensor(g, tensor(c, nm, blk[i].a, blk[i].b));
        }
    }
    cr_assert(gguf_write_to_file(g, out, false), "writing %s failed", out);
    gguf_free(g);
    gguf_free(voc);
    ggml_free(c);
}

static void setup(void)
{
    kc_log_init("test", KC_LOG_ERROR, stderr);
    tmp = kc_test_tmpdir();
    cr_assert_not_null(tmp);
    snprintf(model_path, sizeof model_path, "%s/tiny.gguf", tmp);
    write_tiny_gguf(KC_LLAMA_VOCAB, model_path);
}

static void teardown(void)
{
    kc_test_rmrf(tmp);
    free(tmp);
}

TestSuite(llama, .init = setup, .fini = teardown, .timeout = 240);

static struct kc_llm *open_tiny(void)
{
    struct kc_llm_options o = {.provider = "llama",
                               .gguf = model_path,
                               .assets_dir = getenv("KOCRUIT_ASSETS"),
                               .n_ctx = 512};
    struct kc_err err = {0};
    struct kc_llm *llm = kc_llm_new(&o, &err);
    cr_assert_not_null(llm, "%s", err.message);
    return llm;
}

static json_t *conversation(const char *user)
{
    return json_pack("[{s:s,s:s},{s:s,s:s}]", "role", "system", "content",
                     "You are an interviewer.", "role", "user", "content", user);
}

Test(llama, loads_and_generates_reproducibly)
{
    struct kc_llm *llm = open_tiny();
    cr_assert_str_eq(kc_llm_provider(llm), "llama");
    json_t *m = conversation("Write one interview question about Kubernetes.");
    struct kc_llm_params p = kc_llm_params_default();
    p.max_tokens = 24;
    struct kc_llm_reply a, b;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, &p, NULL, &a, &err), 0, "%s", err.message);
    cr_assert_not_null(a.text);
    cr_assert_gt(strlen(a.text), 0, "24 greedy tokens of a random model produced no text");
    cr_assert_eq(a.attempts, 1);
    cr_assert(strncmp(a.model, "llama:tiny.gguf:", 16) == 0, "%s", a.model);
    cr_assert_eq(kc_llm_chat(llm, m, &p, NULL, &b, &err), 0, "%s", err.message);
    cr_assert_str_eq(a.text, b.text, "greedy decoding is deterministic");
    kc_llm_reply_free(&a);
    kc_llm_reply_free(&b);
    json_decref(m);
    kc_llm_free(llm);
}

Test(llama, invalid_structured_output_is_rejected_retried_then_fails)
{
    struct kc_llm *llm = open_tiny();
    json_t *m = conversation("Grade this answer from 0 to 100.");
    json_error_t je;
    json_t *schema = json_loads("{\"type\":\"object\",\"required\":[\"score\"],\"properties\":"
                                "{\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100}}}",
                                0, &je);
    struct kc_llm_params p = kc_llm_params_default();
    p.max_tokens = 16;
    p.schema_retries = 2;
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, &p, schema, &out, &err), -1,
                 "a random-weight model produced valid JSON: %s", out.text ? out.text : "");
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE);
    cr_assert(strstr(err.message, "llama: no valid structured reply after 3 attempt"), "%s",
              err.message);
    cr_assert_eq(out.attempts, 3);
    cr_assert_eq(json_array_size(out.rejected), 3);
    for (size_t i = 0; i < 3; i++) {
        const json_t *r = json_array_get(out.rejected, i);
        cr_assert_eq(json_integer_value(json_object_get(r, "attempt")), (json_int_t)i + 1);
        cr_assert_gt(strlen(json_string_value(json_object_get(r, "error"))), 0);
    }
    cr_assert_null(out.json);
    kc_llm_reply_free(&out);
    json_decref(schema);
    json_decref(m);
    kc_llm_free(llm);
}

Test(llama, prompt_longer_than_the_context_is_refused)
{
    struct kc_llm *llm = open_tiny();
    size_t n = 20000;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++) big[i] = "abcde fghij "[i % 12];
    big[n] = '\0';
    json_t *m = conversation(big);
    free(big);
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert(strstr(err.message, "exceed the context (512)"), "%s", err.message);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(llama, not_a_gguf_and_missing_library_are_clear_errors)
{
    char bogus[600];
    snprintf(bogus, sizeof bogus, "%s/bogus.gguf", tmp);
    FILE *f = fopen(bogus, "w");
    fputs("this is not a gguf file", f);
    fclose(f);
    struct kc_err err = {0};
    struct kc_llm_options o = {
        .provider = "llama", .gguf = bogus, .assets_dir = getenv("KOCRUIT_ASSETS")};
    cr_assert_null(kc_llm_new(&o, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "is not a loadable GGUF model"), "%s", err.message);
}

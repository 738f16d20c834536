/*
 * fuzz_tfjs_load.c — libFuzzer target for the TF.js loader (and, when a model loads, one run).
 *
 * Input layout: 2 bytes little-endian JSON length L (clamped to what is there), L bytes of
 * model.json, then the weight bytes (the shards of every manifest group, concatenated).
 * kc_tfjs_load_mem must either fail with a message or return a model that runs without error;
 * models whose input or arena is large are loaded and freed without running to keep the
 * fuzzer fast. Build: clang-14 -fsanitize=fuzzer,address,undefined (lib/ml/runtime.cmake).
 * Seeds: make_seeds.py cuts the shipped model.json files down to their first few ops.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ml/tfjs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t len = (size_t)data[0] | (size_t)data[1] << 8;
    if (len > size - 2) len = size - 2;
    const char *json = (const char *)data + 2;
    const uint8_t *w = data + 2 + len;
    size_t wlen = size - 2 - len;
    struct kc_err err = {0};
    struct kc_tfjs_options opt = {.threads = 1};
    struct kc_tfjs_model *m = kc_tfjs_load_mem(json, len, wlen ? w : NULL, wlen, &opt, &err);
    if (!m) {
        if (err.code == KC_OK || !err.message[0]) abort(); /* every failure must say why */
        return 0;
    }
    int64_t shape[4];
    kc_tfjs_input_shape(m, shape);
    size_t n = 1;
    for (int i = 0; i < 4 && shape[i]; i++) n *= (size_t)shape[i];
    if (n <= (1u << 16) && kc_tfjs_arena_bytes(m) <= (64u << 20)) {
        float *x = calloc(n, sizeof(float));
        if (x) {
            for (size_t i = 0; i < n; i++) x[i] = (float)(i % 7) - 3.f;
            if (kc_tfjs_run(m, x, n, &err)) abort();
            for (size_t i = 0; i < kc_tfjs_output_count(m); i++) {
                int64_t os[4];
                int rank;
                if (!kc_tfjs_output(m, kc_tfjs_output_name(m, i), os, &rank)) abort();
            }
            free(x);
        }
    }
    kc_tfjs_free(m);
    return 0;
}

/*
 * tfjs_model.c — see tfjs_model.h.
 */
#include "ml/models/tfjs_model.h"

#include "ml/models/assets.h"

struct kc_tfjs_model *kc_ml_open_tfjs(const char *path, const char *relative, const char *name,
                                      const int64_t expect[4], int threads, struct kc_err *err)
{
    char file[1024];
    if (kc_ml_model_file(file, sizeof file, path, relative, name, err) != 0) return NULL;
    struct kc_tfjs_options opt = {.threads = threads > 0 ? threads : 1};
    struct kc_tfjs_model *m = kc_tfjs_load(file, &opt, err);
    if (!m) {
        kc_err_prefix(err, "%s model %s", name, file);
        return NULL;
    }
    int64_t shape[4] = {0};
    if (kc_tfjs_input_shape(m, shape) != 0 || shape[1] != expect[1] || shape[2] != expect[2] ||
        shape[3] != expect[3]) {
        kc_err_set(err, KC_E_UNPROCESSABLE,
                   "%s model %s has input [%lld,%lld,%lld,%lld], expected [1,%lld,%lld,%lld]", name,
                   file, (long long)shape[0], (long long)shape[1], (long long)shape[2],
                   (long long)shape[3], (long long)expect[1], (long long)expect[2],
                   (long long)expect[3]);
        kc_tfjs_free(m);
        return NULL;
    }
    return m;
}

const float *kc_ml_tfjs_output(const struct kc_tfjs_model *m, const char *model_name,
                               const char *output, size_t count, struct kc_err *err)
{
    int64_t shape[4] = {0};
    int rank = 0;
    const float *d = kc_tfjs_output(m, output, shape, &rank);
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)(shape[i] > 0 ? shape[i] : 0);
    if (!d || rank <= 0 || n != count) {
        kc_err_set(err, KC_E_INTERNAL, "%s: output %s %s (%zu elements, expected %zu)", model_name,
                   output, d ? "has the wrong size" : "is missing", d ? n : 0, count);
        return NULL;
    }
    return d;
}

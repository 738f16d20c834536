/*
 * tfjs_model.h — opening a TF.js graph model for a wrapper: resolve the file (assets.h rules),
 * load it with the lib/ml runner and check that its input is the shape the wrapper was written
 * for, so a swapped or different model file is refused with a clear error instead of being run
 * on the wrong layout.
 *
 * Thread-safety: reentrant. The returned model is owned by the caller (kc_tfjs_free).
 */
#ifndef KC_ML_MODELS_TFJS_MODEL_H
#define KC_ML_MODELS_TFJS_MODEL_H

#include <stdint.h>

#include "core/err.h"
#include "ml/tfjs.h"

/* path NULL = $KOCRUIT_ASSETS/<relative>. expect = [1,h,w,c]. threads <= 0 means 1.
 * KC_E_UNAVAILABLE when the file is missing, KC_E_UNPROCESSABLE when the input differs. */
struct kc_tfjs_model *kc_ml_open_tfjs(const char *path, const char *relative, const char *name,
                                      const int64_t expect[4], int threads, struct kc_err *err);

/* Fetch output `name` and check its element count; NULL + KC_E_INTERNAL otherwise. */
const float *kc_ml_tfjs_output(const struct kc_tfjs_model *m, const char *model_name,
                               const char *output, size_t count, struct kc_err *err);

#endif

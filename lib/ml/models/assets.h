/*
 * assets.h — where the model wrappers find their files, and the shared "unavailable" rule.
 *
 * A wrapper opened with a NULL path uses $KOCRUIT_ASSETS/<relative> (the bootstrap cache,
 * ASSETS.md), or KC_DEFAULT_ASSETS/<relative> when the variable is unset. A missing file is
 * KC_E_UNAVAILABLE with a message naming the model and the path, never a silent fallback.
 *
 * Thread-safety: reentrant (reads the environment only).
 */
#ifndef KC_ML_MODELS_ASSETS_H
#define KC_ML_MODELS_ASSETS_H

#include <stddef.h>

#include "core/err.h"

/* Resolve `path` (used as is when not NULL) or the asset-relative default into buf.
 * Returns 0, or -1 with KC_E_UNAVAILABLE when the file is not readable. */
int kc_ml_model_file(char *buf, size_t n, const char *path, const char *relative,
                     const char *model_name, struct kc_err *err);

/* Logistic function, clamped so that exp() never overflows. */
float kc_ml_sigmoid(float x);

#endif

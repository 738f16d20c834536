/*
 * assets.c — model file resolution (see assets.h) and the small numeric helpers the wrappers
 * share.
 */
#include "ml/models/assets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef KC_DEFAULT_ASSETS
#define KC_DEFAULT_ASSETS "/root/.cache/kocruit/assets"
#endif

int kc_ml_model_file(char *buf, size_t n, const char *path, const char *relative,
                     const char *model_name, struct kc_err *err)
{
    const char *assets = getenv("KOCRUIT_ASSETS");
    int len;
    if (path) {
        len = snprintf(buf, n, "%s", path);
    } else {
        len = snprintf(buf, n, "%s/%s", assets && *assets ? assets : KC_DEFAULT_ASSETS, relative);
    }
    if (len < 0 || (size_t)len >= n) {
        return kc_err_set(err, KC_E_INVALID, "%s model path is too long", model_name);
    }
    if (access(buf, R_OK) != 0) {
        return kc_err_set(err, KC_E_UNAVAILABLE, "%s model file not found at %s", model_name, buf);
    }
    return 0;
}

float kc_ml_sigmoid(float x)
{
    if (x > 80.0f) x = 80.0f;
    if (x < -80.0f) x = -80.0f;
    return 1.0f / (1.0f + expf(-x));
}

/*
 * iris.c — Iris wrapper (see iris.h). Output layout of the model: 228 floats, points
 * 0..70 the eye contour, 71..75 the iris, each as x, y, z.
 */
#include "ml/models/iris.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/models/tfjs_model.h"

#define INPUT_LEN  (KC_IRIS_SIZE * KC_IRIS_SIZE * 3)
#define OUTPUT_LEN ((KC_IRIS_CONTOUR + KC_IRIS_POINTS) * 3)

struct kc_iris {
    struct kc_tfjs_model *model;
    float input[INPUT_LEN];
};

struct kc_iris *kc_iris_open(const char *model_path, int threads, struct kc_err *err)
{
    static const int64_t shape[4] = {1, KC_IRIS_SIZE, KC_IRIS_SIZE, 3};
    struct kc_iris *m = calloc(1, sizeof *m);
    if (!m) {
        kc_err_set(err, KC_E_NOMEM, "out of memory for Iris");
        return NULL;
    }
    m->model = kc_ml_open_tfjs(model_path, KC_IRIS_FILE, "Iris", shape, threads, err);
    if (!m->model) {
        free(m);
        return NULL;
    }
    return m;
}

void kc_iris_free(struct kc_iris *m)
{
    if (!m) return;
    kc_tfjs_free(m->model);
    free(m);
}

int kc_iris_run(struct kc_iris *m, const float *input, struct kc_iris_result *out,
                struct kc_err *err)
{
    if (!m || !input || !out) return kc_err_set(err, KC_E_INVALID, "Iris: no input");
    if (kc_tfjs_run(m->model, input, INPUT_LEN, err) != 0) {
        kc_err_prefix(err, "Iris");
        return -1;
    }
    const float *d = kc_ml_tfjs_output(m->model, "Iris", "Identity", OUTPUT_LEN, err);
    if (!d) return -1;
    memcpy(out->contour, d, sizeof out->contour);
    memcpy(out->iris, d + KC_IRIS_CONTOUR * 3, sizeof out->iris);
    for (int i = 0; i < KC_IRIS_CONTOUR; i++) {
        out->contour_image[i][0] = out->contour[i][0];
        out->contour_image[i][1] = out->contour[i][1];
    }
    for (int i = 0; i < KC_IRIS_POINTS; i++) {
        out->iris_image[i][0] = out->iris[i][0];
        out->iris_image[i][1] = out->iris[i][1];
    }
    return 0;
}

int kc_iris_run_image(struct kc_iris *m, const struct kc_image *img,
                      const struct kc_affine *crop_to_image, struct kc_iris_result *out,
                      struct kc_err *err)
{
    if (!m || !img || !img->data || !crop_to_image) {
        return kc_err_set(err, KC_E_INVALID, "Iris: no image");
    }
    kc_image_warp_tensor(img, crop_to_image, KC_IRIS_SIZE, KC_IRIS_SIZE, KC_TENSOR_RGB_UNIT,
                         m->input);
    if (kc_iris_run(m, m->input, out, err) != 0) return -1;
    for (int i = 0; i < KC_IRIS_CONTOUR; i++) {
        kc_affine_apply(crop_to_image, out->contour[i][0], out->contour[i][1],
                        &out->contour_image[i][0], &out->contour_image[i][1]);
    }
    for (int i = 0; i < KC_IRIS_POINTS; i++) {
        kc_affine_apply(crop_to_image, out->iris[i][0], out->iris[i][1], &out->iris_image[i][0],
                        &out->iris_image[i][1]);
    }
    return 0;
}

struct kc_affine kc_iris_eye_crop(float ax, float ay, float bx, float by, int right_eye)
{
    if (bx < ax) { /* order the corners left to right in the image */
        float tx = ax, ty = ay;
        ax = bx, ay = by, bx = tx, by = ty;
    }
    float side = KC_IRIS_ENLARGE * hypotf(bx - ax, by - ay);
    struct kc_affine m = kc_affine_rotated_square((ax + bx) / 2, (ay + by) / 2, side,
                                                  atan2f(by - ay, bx - ax), KC_IRIS_SIZE);
    if (right_eye) { /* crop x' = size - x */
        m.c += m.a * KC_IRIS_SIZE;
        m.f += m.d * KC_IRIS_SIZE;
        m.a = -m.a;
        m.d = -m.d;
    }
    return m;
}

/*
 * facemesh.c — FaceMesh wrapper (see facemesh.h): input tensor -> TF.js runner -> points and
 * face flag copied out of the runner's buffers (which the next run overwrites).
 */
#include "ml/models/facemesh.h"

#include <stdlib.h>
#include <string.h>

#include "ml/models/tfjs_model.h"

#define INPUT_LEN (KC_FACEMESH_SIZE * KC_FACEMESH_SIZE * 3)

struct kc_facemesh {
    struct kc_tfjs_model *model;
    float input[INPUT_LEN];
};

struct kc_facemesh *kc_facemesh_open(const char *model_path, int threads, struct kc_err *err)
{
    static const int64_t shape[4] = {1, KC_FACEMESH_SIZE, KC_FACEMESH_SIZE, 3};
    struct kc_facemesh *m = calloc(1, sizeof *m);
    if (!m) {
        kc_err_set(err, KC_E_NOMEM, "out of memory for FaceMesh");
        return NULL;
    }
    m->model = kc_ml_open_tfjs(model_path, KC_FACEMESH_FILE, "FaceMesh", shape, threads, err);
    if (!m->model) {
        free(m);
        return NULL;
    }
    return m;
}

void kc_facemesh_free(struct kc_facemesh *m)
{
    if (!m) return;
    kc_tfjs_free(m->model);
    free(m);
}

int kc_facemesh_run(struct kc_facemesh *m, const float *input, struct kc_facemesh_result *out,
                    struct kc_err *err)
{
    if (!m || !input || !out) return kc_err_set(err, KC_E_INVALID, "FaceMesh: no input");
    if (kc_tfjs_run(m->model, input, INPUT_LEN, err) != 0) {
        kc_err_prefix(err, "FaceMesh");
        return -1;
    }
    const float *mesh =
        kc_ml_tfjs_output(m->model, "FaceMesh", "Identity_2", KC_FACEMESH_POINTS * 3, err);
    const float *flag = mesh ? kc_ml_tfjs_output(m->model, "FaceMesh", "Identity_1", 1, err) : NULL;
    if (!flag) return -1;
    memcpy(out->points, mesh, sizeof out->points);
    for (int i = 0; i < KC_FACEMESH_POINTS; i++) {
        out->image[i][0] = mesh[3 * i];
        out->image[i][1] = mesh[3 * i + 1];
    }
    out->face_flag = flag[0];
    return 0;
}

int kc_facemesh_run_image(struct kc_facemesh *m, const struct kc_image *img,
                          const struct kc_affine *crop_to_image, struct kc_facemesh_result *out,
                          struct kc_err *err)
{
    if (!m || !img || !img->data || !crop_to_image) {
        return kc_err_set(err, KC_E_INVALID, "FaceMesh: no image");
    }
    kc_image_warp_tensor(img, crop_to_image, KC_FACEMESH_SIZE, KC_FACEMESH_SIZE, KC_TENSOR_RGB_UNIT,
                         m->input);
    if (kc_facemesh_run(m, m->input, out, err) != 0) return -1;
    for (int i = 0; i < KC_FACEMESH_POINTS; i++) {
        kc_affine_apply(crop_to_image, out->points[i][0], out->points[i][1], &out->image[i][0],
                        &out->image[i][1]);
    }
    return 0;
}

/*
 * emotion.c — expression classifier wrapper (see emotion.h for the policy and the model).
 */
#include "ml/models/emotion.h"

#include <stdlib.h>
#include <string.h>

#include "ml/models/tfjs_model.h"

#define INPUT_LEN (KC_EMOTION_SIZE * KC_EMOTION_SIZE)

const char *const kc_emotion_labels[KC_EMOTION_CLASSES] = {
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
};

struct kc_emotion {
    struct kc_tfjs_model *model;
    float input[INPUT_LEN];
};

struct kc_emotion *kc_emotion_open(const char *model_path, int threads, struct kc_err *err)
{
    static const int64_t shape[4] = {1, KC_EMOTION_SIZE, KC_EMOTION_SIZE, 1};
    struct kc_emotion *m = calloc(1, sizeof *m);
    if (!m) {
        kc_err_set(err, KC_E_NOMEM, "out of memory for Emotion");
        return NULL;
    }
    m->model = kc_ml_open_tfjs(model_path, KC_EMOTION_FILE, "Emotion", shape, threads, err);
    if (!m->model) {
        free(m);
        return NULL;
    }
    return m;
}

void kc_emotion_free(struct kc_emotion *m)
{
    if (!m) return;
    kc_tfjs_free(m->model);
    free(m);
}

int kc_emotion_run(struct kc_emotion *m, const float *input, float probs[KC_EMOTION_CLASSES],
                   struct kc_err *err)
{
    if (!m || !input || !probs) return kc_err_set(err, KC_E_INVALID, "Emotion: no input");
    if (kc_tfjs_run(m->model, input, INPUT_LEN, err) != 0) {
        kc_err_prefix(err, "Emotion");
        return -1;
    }
    const float *d = kc_ml_tfjs_output(m->model, "Emotion", "Identity", KC_EMOTION_CLASSES, err);
    if (!d) return -1;
    memcpy(probs, d, KC_EMOTION_CLASSES * sizeof(float));
    return 0;
}

int kc_emotion_run_image(struct kc_emotion *m, const struct kc_image *img,
                         const struct kc_affine *crop_to_image, float probs[KC_EMOTION_CLASSES],
                         struct kc_err *err)
{
    if (!m || !img || !img->data || !crop_to_image) {
        return kc_err_set(err, KC_E_INVALID, "Emotion: no image");
    }
    kc_image_warp_tensor(img, crop_to_image, KC_EMOTION_SIZE, KC_EMOTION_SIZE,
                         KC_TENSOR_GRAY_SIGNED, m->input);
    return kc_emotion_run(m, m->input, probs, err);
}

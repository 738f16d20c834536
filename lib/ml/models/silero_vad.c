/*
 * silero_vad.c — Silero VAD v5 stream (see silero_vad.h).
 *
 * State layout: `window` is the model input, [context (64) | chunk (512)]; after a run its
 * last 64 samples become the next context. `state` is the recurrent state [2,1,128]; the model
 * returns the next one into `next_state`, copied back only after a successful run so a failed
 * call leaves the stream where it was.
 */
#include "ml/models/silero_vad.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ml/models/assets.h"
#include "ml/ort.h"

#define STATE_SIZE (2 * 1 * 128)
#define WINDOW     (KC_SILERO_VAD_CONTEXT + KC_SILERO_VAD_CHUNK)

struct kc_silero_vad {
    struct kc_ort_session *session;
    float window[WINDOW];
    float state[STATE_SIZE], next_state[STATE_SIZE];
};

struct kc_silero_vad *kc_silero_vad_open(const char *model_path, struct kc_err *err)
{
    char path[1024];
    if (kc_ml_model_file(path, sizeof path, model_path, "models/" KC_SILERO_VAD_FILE, "Silero VAD",
                         err) != 0) {
        return NULL;
    }
    struct kc_silero_vad *v = calloc(1, sizeof *v);
    if (!v) {
        kc_err_set(err, KC_E_NOMEM, "out of memory for Silero VAD");
        return NULL;
    }
    /* one thread: a 32 ms chunk costs ~0.1 ms, threading would only add overhead */
    v->session = kc_ort_session_open(path, &(struct kc_ort_options){.intra_threads = 1}, err);
    if (!v->session) {
        free(v);
        return NULL;
    }
    return v;
}

void kc_silero_vad_free(struct kc_silero_vad *v)
{
    if (!v) return;
    kc_ort_session_free(v->session);
    free(v);
}

void kc_silero_vad_reset(struct kc_silero_vad *v)
{
    memset(v->window, 0, sizeof v->window);
    memset(v->state, 0, sizeof v->state);
}

int kc_silero_vad_process(struct kc_silero_vad *v, const float *chunk, float *prob,
                          struct kc_err *err)
{
    if (!v || !chunk || !prob) return kc_err_set(err, KC_E_INVALID, "Silero VAD: no input");
    static const int64_t window_shape[2] = {1, WINDOW}, state_shape[3] = {2, 1, 128};
    static const int64_t rate = KC_SILERO_VAD_RATE;
    memcpy(v->window + KC_SILERO_VAD_CONTEXT, chunk, KC_SILERO_VAD_CHUNK * sizeof(float));
    struct kc_ort_input in[3] = {
        {"input", KC_ORT_FLOAT, v->window, window_shape, 2},
        {"state", KC_ORT_FLOAT, v->state, state_shape, 3},
        {"sr", KC_ORT_INT64, &rate, NULL, 0},
    };
    struct kc_ort_output out[2] = {
        {.name = "output", .data = prob, .capacity = 1},
        {.name = "stateN", .data = v->next_state, .capacity = STATE_SIZE},
    };
    if (kc_ort_run(v->session, in, 3, out, 2, err) != 0) {
        kc_err_prefix(err, "Silero VAD");
        return -1;
    }
    memcpy(v->state, v->next_state, sizeof v->state);
    memmove(v->window, v->window + KC_SILERO_VAD_CHUNK, KC_SILERO_VAD_CONTEXT * sizeof(float));
    return 0;
}

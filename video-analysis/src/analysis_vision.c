/*
 * analysis_vision.c — the adapter between the analysis job and the vision pipeline
 * (kc_vision_analyze in vision.h, owned by the vision part of video-analysis).
 *
 * It runs kc_vision_analyze_media on the recording the analysis already opened; when the
 * pipeline fails (a model missing, no face track) the video behaviour part is reported
 * unavailable with the pipeline's reason — never a made-up value.
 */
#include <stdio.h>
#include <string.h>

#include "analysis_private.h"

#include <stdlib.h>

#include "vision.h"

void kc_analysis_vision_run(const struct kc_media *m, const struct kc_analysis_opts *o,
                            bool emotion, void (*progress)(double fraction, void *ctx), void *ctx,
                            struct kc_analysis_part *part)
{
    struct kc_vision_options vo = kc_vision_options_default();
    vo.emotion_enabled = emotion;
    struct kc_speech_question *qs = NULL;
    if (o->n_questions) qs = calloc(o->n_questions, sizeof *qs);
    for (size_t i = 0; qs && i < o->n_questions; i++)
        qs[i] = (struct kc_speech_question){o->questions[i].id, o->questions[i].start,
                                            o->questions[i].end};
    struct kc_err err = {0};
    part->result =
        kc_vision_analyze_media(m, &vo, qs, qs ? o->n_questions : 0, progress, ctx, &err);
    free(qs);
    if (part->result) {
        part->status = KC_PART_OK;
        return;
    }
    part->status = KC_PART_UNAVAILABLE;
    snprintf(part->reason, sizeof part->reason, "vision pipeline: %.400s", err.message);
}

/*
 * analysis_private.h — what analysis.c, analysis_report.c and analysis_vision.c share.
 *
 * struct kc_analysis_parts is the outcome of the two pipelines before assembly: each part
 * holds its JSON result (owned) or, when it did not run or failed, a status and a reason.
 * analysis_report.c turns the parts into the report of analysis.h. Not for other modules.
 */
#ifndef KC_ANALYSIS_PRIVATE_H
#define KC_ANALYSIS_PRIVATE_H

#include <stdbool.h>
#include <jansson.h>

#include "analysis.h"
#include "media.h"

enum kc_part_status {
    KC_PART_OK = 0,      /* ran; result set */
    KC_PART_NOT_RUN,     /* not consented / not requested: reason says which */
    KC_PART_UNAVAILABLE, /* could not run (media half missing, pipeline missing or failed) */
};

struct kc_analysis_part {
    enum kc_part_status status;
    char reason[512];
    json_t *result; /* owned; NULL unless KC_PART_OK */
    double ms;      /* wall time of the part, ms */
};

struct kc_analysis_parts {
    const struct kc_analysis_opts *opts;
    const char *id;                   /* may be NULL */
    const struct kc_media_info *info; /* probe of the recording */
    struct kc_analysis_part vision, speech;
    bool emotion_ran;
    const char *emotion_reason; /* why not, when !emotion_ran */
    const char *asr_off_reason; /* set when the transcript was not attempted on purpose */
    double audio_decode_ms;
    double vad_ms, asr_ms, features_ms; /* from the speech progress marks; NaN if unknown */
    double wall_ms;
};

/* The vision pipeline on the opened recording (analysis_vision.c). Fills part (status,
 * reason, result). */
void kc_analysis_vision_run(const struct kc_media *m, const struct kc_analysis_opts *o,
                            bool emotion, void (*progress)(double fraction, void *ctx), void *ctx,
                            struct kc_analysis_part *part);
/* Whether this binary has the vision pipeline (false: vision reports unavailable). */

/* Assemble the report (analysis_report.c). New reference, NULL on allocation failure. */
json_t *kc_report_assemble(const struct kc_analysis_parts *p);

/* sha256 of a file as 64 hex chars + NUL into out[65]; 0 ok, -1 when unreadable. A directory
 * hashes its regular files in name order (name, NUL, content each): a "tree" hash. */
int kc_report_sha256_path(const char *path, char out[65]);

#endif

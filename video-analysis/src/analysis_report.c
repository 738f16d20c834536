/*
 * analysis_report.c — assembling the report of analysis.h from the pipelines' results.
 *
 * Inputs are the speech result (speech.h) and the vision result (vision.h; keys used when
 * present: metrics, timelines, emotion, rates, models, timings_ms, questions/per_question).
 * Nothing here computes a number about the candidate: this file only moves the pipelines'
 * metric records into one document, adds media facts, model identities (file + sha256),
 * stage timings and the scoring section, and enforces the emotion rule (no emotion value
 * anywhere unless emotion ran).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "analysis_private.h"
#include "ml/models/assets.h"
#include "rubric.h"

#define ASR_PS_DIR "/usr/share/pocketsphinx/model/en-us"

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *status_json(const char *status, const char *reason)
{
    return json_pack("{s:s,s:s}", "status", status, "reason", reason);
}

static json_t *media_json(const struct kc_media_info *in)
{
    json_t *v = in->video.available
                    ? json_pack("{s:i,s:i,s:o,s:s}", "w", in->video.width, "h", in->video.height,
                                "fps", num_or_null(in->video.fps), "codec", in->video.codec)
                    : status_json("unavailable", in->video.reason);
    json_t *a = in->audio.available
                    ? json_pack("{s:i,s:i,s:s}", "sample_rate", in->audio.sample_rate, "channels",
                                in->audio.channels, "codec", in->audio.codec)
                    : status_json("unavailable", in->audio.reason);
    return json_pack("{s:o,s:s,s:o,s:o}", "duration_s", num_or_null(in->duration_s), "container",
                     in->container, "video", v, "audio", a);
}

/* {"status", "reason"?, "unavailable"?}: a pipeline that ran reports its own status
 * ("ok" | "partial" | "unavailable", vision.h) and which models were missing. */
static json_t *part_json(const struct kc_analysis_part *p)
{
    static const char *const names[] = {"ok", "not run", "unavailable"};
    if (p->status != KC_PART_OK) return status_json(names[p->status], p->reason);
    json_t *st = json_object_get(p->result, "status");
    json_t *o = json_pack("{s:s}", "status", json_is_string(st) ? json_string_value(st) : "ok");
    json_t *reason = json_object_get(p->result, "reason");
    json_t *missing = json_object_get(p->result, "unavailable");
    if (json_is_string(reason)) json_object_set(o, "reason", reason);
    if (json_is_object(missing)) json_object_set(o, "unavailable", missing);
    return o;
}

/* Copy every member of src (object) into dst. */
static void merge_into(json_t *dst, const json_t *src)
{
    if (json_is_object(src)) json_object_update(dst, (json_t *)src);
}

static json_t *part_get(const struct kc_analysis_part *p, const char *key)
{
    return p->status == KC_PART_OK ? json_object_get(p->result, key) : NULL;
}

/* ---- transcript switched off on purpose ---------------------------------------------- */

/* Replace every "reason" equal to `from` by `to` (recursively). */
static void replace_reason(json_t *j, const char *from, const char *to)
{
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) replace_reason(v, from, to);
        return;
    }
    if (!json_is_object(j)) return;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (!strcmp(k, "reason") && json_is_string(v) && !strcmp(json_string_value(v), from))
            json_object_set_new(j, k, json_string(to));
        else
            replace_reason(v, from, to);
    }
}

static void asr_off_fixup(json_t *speech, const char *why)
{
    json_t *tr = json_object_get(speech, "transcript");
    const char *old = json_string_value(json_object_get(tr, "reason"));
    if (old) {
        char *copy = strdup(old);
        if (copy) replace_reason(speech, copy, why);
        free(copy);
    }
    json_object_set_new(speech, "transcript", status_json("not run", why));
}

/* ---- models ------------------------------------------------------------------------------ */

static void add_model(json_t *models, const char *name, const char *path)
{
    char hex[65];
    json_t *m = kc_report_sha256_path(path, hex) == 0
                    ? json_pack("{s:s,s:s}", "file", path, "sha256", hex)
                    : json_pack("{s:s,s:n,s:s}", "file", path, "sha256", "reason", "unreadable");
    json_object_set_new(models, name, m);
}

static void speech_models(json_t *models, const json_t *speech)
{
    json_t *vad = json_object_get(speech, "vad");
    const char *st = json_string_value(json_object_get(vad, "status"));
    char path[1024];
    if (st && !strcmp(st, "ok") &&
        kc_ml_model_file(path, sizeof path, NULL, "models/silero_vad_v5.onnx", "Silero VAD",
                         NULL) == 0)
        add_model(models, "silero_vad_v5", path);
    json_t *tr = json_object_get(speech, "transcript");
    const char *engine = json_string_value(json_object_get(tr, "engine"));
    st = json_string_value(json_object_get(tr, "status"));
    if (!engine || !st || strcmp(st, "ok")) return;
    if (!strncmp(engine, "pocketsphinx", 12)) {
        add_model(models, "pocketsphinx_en_us_acoustic", ASR_PS_DIR "/en-us");
        add_model(models, "pocketsphinx_en_us_lm", ASR_PS_DIR "/en-us.lm.bin");
        add_model(models, "pocketsphinx_en_us_dict", ASR_PS_DIR "/cmudict-en-us.dict");
    } else if (!strncmp(engine, "whisper", 7)) {
        const char *w = getenv("KOCRUIT_WHISPER_MODEL");
        if (w && *w) add_model(models, "whisper", w);
    }
}

/* ---- per question ------------------------------------------------------------------------ */

static const json_t *find_question(const json_t *arr, const char *id)
{
    size_t i;
    json_t *q;
    json_array_foreach(arr, i, q)
    {
        const char *qid = json_string_value(json_object_get(q, "id"));
        if (qid && !strcmp(qid, id)) return q;
    }
    return NULL;
}

static json_t *per_question(const struct kc_analysis_parts *p)
{
    const json_t *vq = part_get(&p->vision, "per_question");
    if (!vq) vq = part_get(&p->vision, "questions");
    const json_t *sq = part_get(&p->speech, "questions");
    json_t *arr = json_array();
    for (size_t i = 0; i < p->opts->n_questions; i++) {
        const struct kc_analysis_question *q = &p->opts->questions[i];
        const json_t *v = find_question(vq, q->id), *s = find_question(sq, q->id);
        json_t *metrics = json_object();
        merge_into(metrics, json_object_get(v, "metrics"));
        merge_into(metrics, json_object_get(s, "metrics"));
        json_t *o = json_pack("{s:s,s:f,s:f,s:o}", "id", q->id, "start", q->start, "end", q->end,
                              "metrics", metrics);
        json_t *emo = json_object_get(v, "emotion");
        if (emo && p->emotion_ran) json_object_set(o, "emotion", emo);
        if (s && json_object_get(s, "text"))
            json_object_set_new(o, "transcript",
                                json_pack("{s:O,s:O*}", "text", json_object_get(s, "text"),
                                          "word_range", json_object_get(s, "word_range")));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* ---- timings ------------------------------------------------------------------------------ */

static json_t *timing(const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    return json_is_number(v) ? num_or_null(json_number_value(v)) : json_null();
}

/* Stage times in ms. Vision stages are thread-ms summed over the vision worker threads
 * (vision.h "timings_ms.cpu"); speech stages and the totals are wall-clock ms. */
static json_t *timings_json(const struct kc_analysis_parts *p)
{
    const json_t *vt = part_get(&p->vision, "timings_ms");
    const json_t *vc = json_object_get(vt, "cpu");
    if (!vc) vc = vt;
    const json_t *st = part_get(&p->speech, "timings_ms");
    bool sp = p->speech.status == KC_PART_OK;
    json_t *vdec = json_object_get(vc, "decode");
    double decode =
        (json_is_number(vdec) ? json_number_value(vdec) : 0) + (sp ? p->audio_decode_ms : 0);
    json_t *t =
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "decode",
                  json_is_number(vdec) || sp ? num_or_null(decode) : json_null(), "detect",
                  timing(vc, "detect"), "mesh", timing(vc, "mesh"), "iris", timing(vc, "iris"),
                  "emotion", timing(vc, "emotion"), "pose", timing(vc, "pose"));
    json_object_set_new(t, "vad", st ? timing(st, "vad") : num_or_null(sp ? p->vad_ms : NAN));
    json_object_set_new(t, "audio_features",
                        st ? timing(st, "audio_features") : num_or_null(sp ? p->features_ms : NAN));
    json_object_set_new(t, "asr", st ? timing(st, "asr") : num_or_null(sp ? p->asr_ms : NAN));
    json_object_set_new(t, "audio_decode", num_or_null(sp ? p->audio_decode_ms : NAN));
    json_object_set_new(t, "vision_load", timing(vt, "load_wall"));
    json_object_set_new(t, "vision_total", num_or_null(p->vision.ms > 0 ? p->vision.ms : NAN));
    json_object_set_new(t, "speech_total", num_or_null(p->speech.ms > 0 ? p->speech.ms : NAN));
    json_object_set_new(t, "wall", num_or_null(p->wall_ms));
    json_object_set_new(t, "basis",
                        json_string("vision stages (decode of video, detect, mesh, iris, "
                                    "emotion, pose): thread-ms summed over the vision workers; "
                                    "audio decode, vad, asr, audio_features and totals: wall ms"));
    return t;
}

/* Effective analysed rates (frames per second of media time) plus what was requested. */
static json_t *rates_json(const struct kc_analysis_parts *p)
{
    const json_t *r = part_get(&p->vision, "rates");
    const json_t *eff = json_object_get(r, "effective");
    if (!eff) eff = r;
    static const char *const names[] = {"mesh_fps", "iris_fps", "pose_fps", "emotion_fps"};
    json_t *out = json_object();
    for (size_t i = 0; i < 4; i++) {
        char alt[64]; /* rates the vision part measures over face time only */
        snprintf(alt, sizeof alt, "%s_over_face_time", names[i]);
        json_t *v = json_object_get(eff, names[i]);
        json_object_set_new(out, names[i],
                            json_is_number(v) ? timing(eff, names[i]) : timing(eff, alt));
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)eff, k, v) if (!json_object_get(out, k))
        json_object_set(out, k, v);
    json_t *req = json_object_get(r, "requested");
    if (req) json_object_set(out, "requested", req);
    return out;
}

/* ---- assembly ----------------------------------------------------------------------------- */

static json_t *emotion_json(const struct kc_analysis_parts *p)
{
    if (!p->emotion_ran) return status_json("disabled by policy", p->emotion_reason);
    json_t *e = part_get(&p->vision, "emotion");
    if (e) return json_incref(e);
    return status_json("unavailable", "the vision pipeline returned no emotion result");
}

static json_t *analyses_json(const struct kc_analysis_parts *p)
{
    json_t *e = p->emotion_ran ? json_pack("{s:s}", "status", "ok")
                               : status_json("not run", p->emotion_reason);
    return json_pack("{s:o,s:o,s:o}", "video_behaviour", part_json(&p->vision), "speech",
                     part_json(&p->speech), "emotion", e);
}

static json_t *speech_section(const struct kc_analysis_parts *p, const char *key)
{
    json_t *v = part_get(&p->speech, key);
    if (v) return json_incref(v);
    return status_json(p->speech.status == KC_PART_NOT_RUN ? "not run" : "unavailable",
                       p->speech.reason);
}

static json_t *language_json(const struct kc_analysis_parts *p)
{
    const json_t *tr = part_get(&p->speech, "transcript");
    const char *st = json_string_value(json_object_get(tr, "status"));
    bool ok = st && !strcmp(st, "ok");
    return json_pack("{s:s,s:s?}", "requested", p->opts->language, "transcript",
                     ok ? json_string_value(json_object_get(tr, "language")) : NULL);
}

json_t *kc_report_assemble(const struct kc_analysis_parts *p)
{
    if (p->speech.status == KC_PART_OK && p->asr_off_reason)
        asr_off_fixup(p->speech.result, p->asr_off_reason);
    json_t *metrics = json_object(), *timelines = json_object(), *models = json_object();
    merge_into(metrics, part_get(&p->vision, "metrics"));
    merge_into(metrics, part_get(&p->speech, "metrics"));
    merge_into(timelines, part_get(&p->vision, "timelines"));
    json_t *loud = part_get(&p->speech, "loudness_timeline");
    if (loud) json_object_set(timelines, "loudness", loud);
    merge_into(models, part_get(&p->vision, "models"));
    if (p->speech.status == KC_PART_OK) speech_models(models, p->speech.result);
    json_t *r = json_pack(
        "{s:s?,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", p->id, "status",
        "done", "media", media_json(p->info), "analyses", analyses_json(p), "language",
        language_json(p), "metrics", metrics, "timelines", timelines, "transcript",
        speech_section(p, "transcript"), "vad", speech_section(p, "vad"), "per_question",
        per_question(p), "emotion", emotion_json(p), "rates", rates_json(p), "models", models,
        "scoring", kc_rubric_apply(p->opts->rubric, metrics), "timings_ms", timings_json(p));
    if (r && !p->emotion_ran) kc_report_strip_emotion(r);
    return r;
}

/* ---- emotion rule ------------------------------------------------------------------------- */

static bool emotion_key(const char *k)
{
    static const char *const classes[] = {"angry",   "disgust",   "fear",    "happy",
                                          "sad",     "surprise",  "neutral", "surprised",
                                          "fearful", "disgusted", NULL};
    if (strstr(k, "emotion")) return true;
    for (size_t i = 0; classes[i]; i++)
        if (!strcmp(k, classes[i])) return true;
    return false;
}

static void strip(json_t *j)
{
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) strip(v);
        return;
    }
    if (!json_is_object(j)) return;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(j, tmp, k, v)
    {
        if (emotion_key(k))
            json_object_del(j, k);
        else
            strip(v);
    }
}

void kc_report_strip_emotion(json_t *report)
{
    json_t *marker = json_incref(json_object_get(report, "emotion"));
    json_t *analyses = json_object_get(report, "analyses");
    json_t *am = json_incref(json_object_get(analyses, "emotion"));
    strip(report);
    if (marker) json_object_set_new(report, "emotion", marker);
    if (am) json_object_set_new(analyses, "emotion", am);
    json_t *rates = json_object_get(report, "rates"), *t = json_object_get(report, "timings_ms");
    if (rates) json_object_set_new(rates, "emotion_fps", json_null());
    if (t) json_object_set_new(t, "emotion", json_null());
}

/* ---- sha256 ------------------------------------------------------------------------------- */

static int hash_file(crypto_hash_sha256_state *st, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) crypto_hash_sha256_update(st, buf, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int hash_dir(crypto_hash_sha256_state *st, const char *dir)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, by_name);
    if (n < 0) return -1;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char p[2048];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, list[i]->d_name);
        if (rc == 0 && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            crypto_hash_sha256_update(st, (const unsigned char *)list[i]->d_name,
                                      strlen(list[i]->d_name) + 1);
            rc = hash_file(st, p);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

int kc_report_sha256_path(const char *path, char out[65])
{
    struct stat sb;
    if (sodium_init() < 0 || stat(path, &sb) != 0) return -1;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    int rc = S_ISDIR(sb.st_mode) ? hash_dir(&st, path) : hash_file(&st, path);
    if (rc) return -1;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof h);
    return 0;
}

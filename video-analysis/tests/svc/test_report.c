/*
 * test_report.c — report assembly (analysis_report.c) from synthetic pipeline results: the
 * report's shape, consent/unavailable sections, the emotion rule (no emotion value anywhere
 * when emotion did not run), the transcript-off fix-up, per-question merge and scoring.
 * The pipelines themselves are tested by their owners; kc_analysis_run on real media is
 * covered by the service integration test.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analysis_private.h"

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    cr_assert_not_null(j, "%s", je.text);
    return j;
}

static const char *VISION =
    "{\"status\":\"ok\",\"metrics\":{\"face_presence_ratio\":{\"value\":0.75,\"unit\":\"ratio\","
    "\"samples\":120,\"status\":\"ok\"}},\"emotion\":{\"status\":\"ok\",\"dominant\":\"happy\","
    "\"per_class_mean\":{\"happy\":0.9,\"sad\":0.1}},\"timelines\":{\"step_s\":1,"
    "\"smile\":[0.1],\"emotion\":{\"labels\":[\"happy\"]}},\"per_question\":[{\"id\":\"q1\","
    "\"metrics\":{\"face_presence_ratio\":{\"value\":1,\"status\":\"ok\"}},\"emotion\":"
    "{\"dominant\":\"happy\"}}],\"rates\":{\"effective\":{\"mesh_fps\":15,\"iris_fps_over_face_"
    "time\":5,\"pose_fps\":1,\"emotion_fps\":5}},\"models\":{\"emotion\":{\"file\":\"e\"}},"
    "\"timings_ms\":{\"wall\":10,\"cpu\":{\"decode\":1,\"detect\":2,\"mesh\":3,\"iris\":4,"
    "\"emotion\":5,\"pose\":6}}}";

static const char *SPEECH =
    "{\"duration_s\":8,\"language\":\"ko\",\"vad\":{\"status\":\"ok\",\"segments\":[[0.5,3]]},"
    "\"metrics\":{\"speaking_time_ratio\":{\"value\":0.5,\"unit\":\"ratio\",\"status\":\"ok\"},"
    "\"speech_rate_wpm\":{\"value\":null,\"status\":\"unavailable\",\"reason\":\"no Korean ASR\"}},"
    "\"transcript\":{\"status\":\"unavailable\",\"reason\":\"no Korean ASR\"},"
    "\"loudness_timeline\":{\"step_s\":1,\"values\":[-20]},"
    "\"questions\":[{\"id\":\"q1\",\"text\":\"\",\"word_range\":[0,0],\"metrics\":{"
    "\"speech_rate_wpm\":{\"value\":null,\"status\":\"unavailable\",\"reason\":\"no Korean "
    "ASR\"}}}]}";

struct fixture {
    struct kc_media_info info;
    struct kc_analysis_opts opts;
    struct kc_analysis_question q;
    struct kc_analysis_parts parts;
};

static void setup_parts(struct fixture *f, bool emotion)
{
    memset(f, 0, sizeof *f);
    f->info.duration_s = 8;
    snprintf(f->info.container, sizeof f->info.container, "matroska,webm");
    f->info.video.available = true;
    f->info.video.width = 640;
    f->info.video.height = 480;
    f->info.video.fps = 30;
    f->info.audio.available = false;
    snprintf(f->info.audio.reason, sizeof f->info.audio.reason, "no audio stream");
    kc_analysis_opts_init(&f->opts);
    snprintf(f->q.id, sizeof f->q.id, "q1");
    f->q.start = 0;
    f->q.end = 4;
    f->opts.questions = &f->q;
    f->opts.n_questions = 1;
    f->parts.opts = &f->opts;
    f->parts.id = "abc";
    f->parts.info = &f->info;
    f->parts.vision.status = KC_PART_OK;
    f->parts.vision.result = load(VISION);
    f->parts.speech.status = KC_PART_OK;
    f->parts.speech.result = load(SPEECH);
    f->parts.emotion_ran = emotion;
    f->parts.emotion_reason = emotion ? NULL : "the company's emotion policy is off (the default)";
    f->parts.vad_ms = f->parts.asr_ms = f->parts.features_ms = NAN;
    f->parts.wall_ms = 100;
}

static void teardown_parts(struct fixture *f)
{
    json_decref(f->parts.vision.result);
    json_decref(f->parts.speech.result);
}

/* Any key that could carry an emotion inference, anywhere below j (path for the message). */
static const char *find_emotion_value(const json_t *j, int depth, const char **where)
{
    static const char *const classes[] = {"happy",          "sad",      "angry",   "fear",
                                          "disgust",        "surprise", "neutral", "dominant",
                                          "per_class_mean", NULL};
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            const char *hit = find_emotion_value(v, depth + 1, where);
            if (hit) return hit;
        }
    }
    if (!json_is_object(j)) return NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        for (size_t i = 0; classes[i]; i++)
            if (!strcmp(k, classes[i])) return *where = k, k;
        if (strstr(k, "emotion") && !(json_is_null(v) || json_is_object(v))) return *where = k, k;
        if (json_is_string(v) && strstr(k, "emotion") == NULL &&
            !strcmp(json_string_value(v), "happy"))
            return *where = k, k;
        const char *hit = find_emotion_value(v, depth + 1, where);
        if (hit) return hit;
    }
    return NULL;
}

Test(report, shape_and_merge)
{
    struct fixture f;
    setup_parts(&f, true);
    json_t *r = kc_report_assemble(&f.parts);
    cr_assert_not_null(r);
    static const char *const keys[] = {
        "id",           "status",  "media", "analyses", "metrics", "timelines",  "transcript",
        "per_question", "emotion", "rates", "models",   "scoring", "timings_ms", NULL};
    for (size_t i = 0; keys[i]; i++) cr_assert_not_null(json_object_get(r, keys[i]), "%s", keys[i]);
    json_t *m = json_object_get(r, "metrics");
    cr_assert_not_null(json_object_get(m, "face_presence_ratio"));
    cr_assert_not_null(json_object_get(m, "speaking_time_ratio"));
    json_t *media = json_object_get(r, "media");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(media, "video"), "w")), 640);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(media, "audio"), "status")),
                     "unavailable");
    json_t *rates = json_object_get(r, "rates");
    cr_assert_float_eq(json_number_value(json_object_get(rates, "iris_fps")), 5.0, 1e-9);
    cr_assert_float_eq(json_number_value(json_object_get(rates, "emotion_fps")), 5.0, 1e-9);
    json_t *t = json_object_get(r, "timings_ms");
    cr_assert_float_eq(json_number_value(json_object_get(t, "mesh")), 3.0, 1e-9);
    cr_assert(json_is_null(json_object_get(t, "asr")));
    json_t *pq = json_array_get(json_object_get(r, "per_question"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(pq, "id")), "q1");
    cr_assert_not_null(json_object_get(json_object_get(pq, "metrics"), "face_presence_ratio"));
    cr_assert_not_null(json_object_get(json_object_get(pq, "metrics"), "speech_rate_wpm"));
    cr_assert_not_null(json_object_get(pq, "emotion"));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "emotion"), "dominant")),
                     "happy");
    cr_assert_not_null(json_object_get(json_object_get(r, "timelines"), "loudness"));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "scoring"), "status")),
                     "not scored");
    json_decref(r);
    teardown_parts(&f);
}

Test(report, no_emotion_value_anywhere_when_off)
{
    struct fixture f;
    setup_parts(&f, false); /* the vision result still carries emotion: it must be removed */
    json_t *r = kc_report_assemble(&f.parts);
    cr_assert_not_null(r);
    const char *where = NULL;
    cr_assert_null(find_emotion_value(r, 0, &where), "emotion value under \"%s\"", where);
    json_t *e = json_object_get(r, "emotion");
    cr_assert_str_eq(json_string_value(json_object_get(e, "status")), "disabled by policy");
    cr_assert(json_is_null(json_object_get(json_object_get(r, "rates"), "emotion_fps")));
    cr_assert_null(json_object_get(json_object_get(r, "models"), "emotion"));
    cr_assert_null(json_object_get(json_object_get(r, "timelines"), "emotion"));
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_object_get(r, "analyses"), "emotion"), "status")),
                     "not run");
    json_decref(r);
    teardown_parts(&f);
}

Test(report, transcript_off_reason_replaced)
{
    struct fixture f;
    setup_parts(&f, false);
    f.parts.asr_off_reason = "transcription was not requested";
    json_t *r = kc_report_assemble(&f.parts);
    json_t *tr = json_object_get(r, "transcript");
    cr_assert_str_eq(json_string_value(json_object_get(tr, "status")), "not run");
    cr_assert_str_eq(json_string_value(json_object_get(tr, "reason")),
                     "transcription was not requested");
    json_t *wpm = json_object_get(json_object_get(r, "metrics"), "speech_rate_wpm");
    cr_assert_str_eq(json_string_value(json_object_get(wpm, "reason")),
                     "transcription was not requested");
    json_t *pq = json_array_get(json_object_get(r, "per_question"), 0);
    json_t *qw = json_object_get(json_object_get(pq, "metrics"), "speech_rate_wpm");
    cr_assert_str_eq(json_string_value(json_object_get(qw, "reason")),
                     "transcription was not requested");
    cr_assert(json_is_null(json_object_get(json_object_get(r, "language"), "transcript")));
    json_decref(r);
    teardown_parts(&f);
}

Test(report, parts_not_run_say_why)
{
    struct fixture f;
    setup_parts(&f, false);
    json_decref(f.parts.speech.result);
    f.parts.speech.result = NULL;
    f.parts.speech.status = KC_PART_NOT_RUN;
    snprintf(f.parts.speech.reason, sizeof f.parts.speech.reason, "no consent for speech analysis");
    json_t *r = kc_report_assemble(&f.parts);
    json_t *sp = json_object_get(json_object_get(r, "analyses"), "speech");
    cr_assert_str_eq(json_string_value(json_object_get(sp, "status")), "not run");
    cr_assert_str_eq(json_string_value(json_object_get(sp, "reason")),
                     "no consent for speech analysis");
    cr_assert_null(json_object_get(json_object_get(r, "metrics"), "speaking_time_ratio"));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "transcript"), "status")),
                     "not run");
    json_decref(r);
    teardown_parts(&f);
}

Test(report, rubric_grades_in_report)
{
    struct fixture f;
    setup_parts(&f, false);
    f.opts.rubric = load("{\"name\":\"r\",\"version\":\"2\",\"grades\":[\"x\"],\"criteria\":"
                         "[{\"metric\":\"face_presence_ratio\",\"bands\":[{\"min\":0.5,\"max\":1,"
                         "\"grade\":\"x\"}]}]}");
    json_t *r = kc_report_assemble(&f.parts);
    json_t *s = json_object_get(r, "scoring");
    cr_assert_str_eq(json_string_value(json_object_get(s, "status")), "graded by rubric");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(s, "rubric"), "version")),
                     "2");
    json_t *g = json_array_get(json_object_get(s, "grades"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(g, "grade")), "x");
    json_decref(r);
    json_decref(f.opts.rubric);
    teardown_parts(&f);
}

Test(report, sha256_of_file_and_dir)
{
    char hex[65];
    cr_assert_eq(kc_report_sha256_path("/dev/null", hex), 0);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    cr_assert_eq(kc_report_sha256_path("/nonexistent/file", hex), -1);
    cr_assert_eq(kc_report_sha256_path("/usr/share/pocketsphinx/model/en-us/en-us", hex), 0);
    cr_assert_eq(strlen(hex), 64);
}

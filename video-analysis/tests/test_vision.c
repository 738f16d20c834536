/*
 * test_vision.c — the whole vision pipeline (vision.h) on videos generated here with ffmpeg
 * from shared/testdata/astronaut.png, $KOCRUIT_ASSETS/img/sample1.jpg and lavfi sources.
 *
 *   presence   astronaut 4 s | testsrc2 3 s | black 1 s | astronaut 4 s  (mp4 and webm):
 *              face_presence_ratio = 8/12 within 0.05, per question and per second too
 *   policy     a laughing face (sample1.jpg, the woman on the right, cropped): with the emotion
 *              policy on "happy" dominates; with it off no emotion number, label or key exists
 *              anywhere in the result (the whole tree is walked)
 *   blinks     the astronaut with her eyes painted shut (skin-coloured boxes with a lash line)
 *              for 0.13-0.27 s six times and for 1.5 s once: six blinks counted
 *   models     assets_dir pointing at a copy without posenet.json / iris.json / facemesh.json:
 *              exactly the dependent metrics are unavailable, naming the missing file
 *   inputs     audio-only media, bad question spans, bad options, missing and garbage files
 * Each test works in its own temporary directory, removed at the end.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ml/models/emotion.h"
#include "vision.h"

static char dir[256];

static const char *assets(void)
{
    const char *a = getenv("KOCRUIT_ASSETS");
    return a && *a ? a : KC_DEFAULT_ASSETS;
}

static const char *shared(void)
{
    const char *s = getenv("KC_SHARED_DIR");
    return s && *s ? s : "/work/shared";
}

static void setup(void)
{
    struct stat st;
    if (stat(assets(), &st) != 0) cr_skip_test("asset directory %s is missing", assets());
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/kc-vision-XXXXXX", t ? t : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
    kc_media_quiet_logs();
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (dir[0] && system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

/* Run a shell command built from fmt; the test fails when it fails. */
static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* Path of a file in the test's directory (4 rotating buffers: usable twice in one call). */
static const char *file(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

#define FF "ffmpeg -hide_banner -loglevel error -nostdin -y"

/* astronaut 4 s | testsrc2 3 s | black 1 s | astronaut 4 s, 640x480 at 30 fps. */
static const char *presence_video(const char *name, const char *codec)
{
    sh(FF " -loop 1 -framerate 30 -t 4 -i '%s/testdata/astronaut.png'"
          " -f lavfi -i testsrc2=s=640x480:r=30:d=3 -f lavfi -i color=black:s=640x480:r=30:d=1"
          " -filter_complex \"[0]scale=480:480,pad=640:480:80:0,setsar=1,split[a][b];"
          "[a][1][2][b]concat=n=4:v=1:a=0,format=yuv420p\" %s '%s'",
       shared(), codec, file(name));
    return file(name);
}

static json_t *analyze(const char *path, const struct kc_vision_options *o,
                       const struct kc_speech_question *q, size_t nq)
{
    struct kc_err err = {0};
    json_t *r = kc_vision_analyze(path, o, q, nq, NULL, NULL, &err);
    cr_assert_not_null(r, "analysis failed: %s", err.message);
    return r;
}

static json_t *metric(json_t *res, const char *name)
{
    json_t *m = json_object_get(json_object_get(res, "metrics"), name);
    cr_assert_not_null(m, "metric %s missing", name);
    return m;
}

static const char *status(json_t *m)
{
    return json_string_value(json_object_get(m, "status"));
}

static double value(json_t *m)
{
    return json_number_value(json_object_get(m, "value"));
}

static void expect_ok_early(json_t *res, const char *name)
{
    cr_assert_str_eq(status(metric(res, name)), "ok", "%s", name);
}

static void check_presence(json_t *res)
{
    json_t *p = metric(res, "face_presence_ratio");
    cr_assert_str_eq(status(p), "ok");
    cr_expect_float_eq(value(p), 8.0 / 12.0, 0.05, "presence %f", value(p));
    cr_assert(json_is_true(json_object_get(p, "not_scored")));
    cr_assert_gt(json_integer_value(json_object_get(p, "samples")), 150);
}

Test(vision, face_presence_mp4, .init = setup, .fini = teardown, .timeout = 300)
{
    const char *v = presence_video("presence.mp4", "-c:v libx264 -preset veryfast");
    struct kc_speech_question q[3] = {{"face", 0, 4}, {"noface", 4, 8}, {"mixed", 2, 6}};
    json_t *res = analyze(v, NULL, q, 3);
    cr_assert_str_eq(json_string_value(json_object_get(res, "status")), "ok");
    check_presence(res);
    json_t *pq = json_object_get(res, "per_question");
    cr_assert_eq(json_array_size(pq), 3);
    double want[3] = {1.0, 0.0, 0.5};
    for (size_t i = 0; i < 3; i++) {
        json_t *m = json_object_get(json_object_get(json_array_get(pq, i), "metrics"),
                                    "face_presence_ratio");
        cr_expect_float_eq(value(m), want[i], 0.05, "question %zu: %f", i, value(m));
    }
    /* per-second head yaw: numbers while the face is there, null while it is not */
    json_t *yaw = json_object_get(json_object_get(res, "timelines"), "head_yaw");
    cr_assert_eq(json_array_size(yaw), 12);
    cr_assert(json_is_number(json_array_get(yaw, 1)));
    cr_assert(json_is_null(json_array_get(yaw, 5)));
    cr_assert(json_is_number(json_array_get(yaw, 10)));
    /* a frontal portrait looking into the camera */
    cr_expect_lt(fabs(value(metric(res, "head_yaw_deg"))), 10.0);
    cr_expect_lt(fabs(value(metric(res, "head_pitch_deg"))), 10.0);
    cr_expect_gt(value(metric(res, "eye_contact_ratio")), 0.9);
    /* 8 s of face: too little for a blink rate, and it says so */
    cr_assert_str_eq(status(metric(res, "blinks_per_minute")), "insufficient_data");
    /* the eye track ran at the requested 15 fps, iris at 5 */
    json_t *eff = json_object_get(json_object_get(res, "rates"), "effective");
    cr_expect_float_eq(json_number_value(json_object_get(eff, "mesh_fps")), 15.0, 0.3);
    cr_expect_float_eq(json_number_value(json_object_get(eff, "iris_fps_over_face_time")), 5.0,
                       0.5);
    /* every loaded model is named with its checksum */
    json_t *models = json_object_get(res, "models");
    const char *names[] = {"blazeface", "facemesh", "iris", "posenet"};
    for (size_t i = 0; i < 4; i++) {
        const char *sha =
            json_string_value(json_object_get(json_object_get(models, names[i]), "sha256"));
        cr_assert(sha && strlen(sha) == 64, "%s has no sha256", names[i]);
    }
    json_decref(res);
}

struct progress {
    int calls;
    double last;
    bool monotonic;
};

static void on_progress(double fraction, void *ctx)
{
    struct progress *p = ctx;
    p->monotonic = p->monotonic && fraction >= p->last && fraction <= 1.0;
    p->last = fraction;
    p->calls++;
}

Test(vision, face_presence_webm, .init = setup, .fini = teardown, .timeout = 300)
{
    const char *v = presence_video("presence.webm", "-c:v libvpx -b:v 1M -deadline realtime");
    struct kc_vision_options o = kc_vision_options_default();
    o.threads = 1; /* the single-worker path too */
    struct progress p = {0, 0, true};
    struct kc_err err = {0};
    json_t *res = kc_vision_analyze(v, &o, NULL, 0, on_progress, &p, &err);
    cr_assert_not_null(res, "%s", err.message);
    check_presence(res);
    cr_assert_eq(json_array_size(json_object_get(res, "per_question")), 0);
    cr_assert_gt(p.calls, 5);
    cr_assert(p.monotonic);
    cr_assert_float_eq(p.last, 1.0, 1e-9);
    json_decref(res);
}

Test(vision, slow_eye_track_makes_blinks_insufficient, .init = setup, .fini = teardown,
     .timeout = 300)
{
    /* a 10 fps source cannot give the 15 analysed fps blinks need */
    sh(FF " -loop 1 -framerate 10 -t 12 -i '%s/testdata/astronaut.png' -vf format=yuv420p"
          " -c:v libx264 -preset veryfast '%s'",
       shared(), file("slow.mp4"));
    json_t *res = analyze(file("slow.mp4"), NULL, NULL, 0);
    json_t *b = metric(res, "blinks_per_minute");
    cr_assert_str_eq(status(b), "insufficient_data");
    const char *why = json_string_value(json_object_get(b, "reason"));
    cr_assert(why && strstr(why, "10.0 analysed fps"), "%s", why);
    cr_assert(json_is_null(json_object_get(b, "value")));
    expect_ok_early(res, "head_yaw_deg");
    json_decref(res);
}

/* ---- blinks ------------------------------------------------------------------------------ */

Test(vision, blinks_counted_on_video, .init = setup, .fini = teardown, .timeout = 300)
{
    /* eyes "closed": the eye regions of the portrait (found with FaceMesh on this image: corners
     * 33/133 at x 195-214, 362/263 at x 237-257, y ~100) filled with skin tone and a lash line */
    sh(FF " -i '%s/testdata/astronaut.png' -vf \"drawbox=x=191:y=94:w=27:h=12:color=0xeed3c0:"
          "t=fill,drawbox=x=234:y=97:w=27:h=12:color=0xe3c8b5:t=fill,drawbox=x=192:y=103:w=24:"
          "h=2:color=0x6a4a3a:t=fill,drawbox=x=235:y=106:w=24:h=2:color=0x6a4a3a:t=fill\" '%s'",
       shared(), file("closed.png"));
    const char *plan[][2] = {{"open", "2"},      {"closed", "0.2"}, {"open", "2.8"},
                             {"closed", "0.2"},  {"open", "3.3"},   {"closed", "0.13"},
                             {"open", "2.5"},    {"closed", "1.5"}, {"open", "2.5"},
                             {"closed", "0.27"}, {"open", "2.6"},   {"closed", "0.2"},
                             {"open", "2.8"},    {"closed", "0.2"}, {"open", "1"}};
    FILE *list = fopen(file("list.txt"), "w");
    cr_assert_not_null(list);
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        const char *img = strcmp(plan[i][0], "open") ? file("closed.png") : "";
        if (!*img)
            fprintf(list, "file '%s/testdata/astronaut.png'\n", shared());
        else
            fprintf(list, "file '%s'\n", img);
        fprintf(list, "duration %s\n", plan[i][1]);
    }
    fprintf(list, "file '%s/testdata/astronaut.png'\n", shared());
    fclose(list);
    sh(FF " -f concat -safe 0 -i '%s' -vf \"fps=30,crop=320:240:65:15,scale=640:480,"
          "format=yuv420p\" -c:v libx264 -preset veryfast '%s'",
       file("list.txt"), file("blinks.mp4"));
    json_t *res = analyze(file("blinks.mp4"), NULL, NULL, 0);
    json_t *b = metric(res, "blinks_per_minute");
    cr_assert_str_eq(status(b), "ok", "%s", json_string_value(json_object_get(b, "reason")));
    json_int_t count = json_integer_value(json_object_get(b, "count"));
    double face_s = json_number_value(json_object_get(b, "face_time_s"));
    cr_expect_float_eq(face_s, 22.2, 1.0);
    cr_assert(count >= 5 && count <= 7, "%lld blinks counted, 6 made", (long long)count);
    cr_expect_float_eq(value(b), (double)count / (face_s / 60), 0.1); /* face_s is rounded */
    json_decref(res);
}

/* ---- the emotion policy ------------------------------------------------------------------- */

static const char *smiling_video(void)
{
    sh(FF " -loop 1 -framerate 30 -t 3 -i '%s/img/sample1.jpg'"
          " -vf \"crop=iw*0.34:ih*0.45:iw*0.64:ih*0.02,scale=640:-2,format=yuv420p\""
          " -c:v libx264 -preset veryfast '%s'",
       assets(), file("smile.mp4"));
    return file("smile.mp4");
}

Test(vision, emotion_policy_on_happy_dominates, .init = setup, .fini = teardown, .timeout = 300)
{
    const char *v = smiling_video();
    struct kc_vision_options o = kc_vision_options_default();
    o.emotion_enabled = 1;
    struct kc_speech_question q[1] = {{"q1", 0, 3}};
    json_t *res = analyze(v, &o, q, 1);
    json_t *e = json_object_get(res, "emotion");
    cr_assert_str_eq(status(e), "ok", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_str_eq(json_string_value(json_object_get(e, "dominant")), "happy");
    double happy =
        json_number_value(json_object_get(json_object_get(e, "per_class_mean"), "happy"));
    cr_assert_gt(happy, 0.5, "mean happy %f", happy);
    cr_assert(json_is_true(json_object_get(e, "not_scored")));
    cr_assert_geq(json_integer_value(json_object_get(e, "samples")), 10);
    cr_assert_not_null(json_object_get(json_object_get(res, "timelines"), "emotion"));
    cr_assert_not_null(json_object_get(json_object_get(res, "models"), "emotion"));
    cr_assert_str_eq(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(res, "per_question"), 0), "emotion"),
            "dominant")),
        "happy");
    json_decref(res);
}

/* Walk the result: no emotion label as a key or string, no emotion data key, and "emotion"
 * only as {"status": "disabled by policy"}. Returns how many "emotion" keys were seen. */
static int walk(json_t *j, const char *where)
{
    static const char *const banned[] = {"dominant", "per_class_mean", "probabilities",
                                         "emotion_fps", "emotion_fps_over_face_time"};
    int seen = 0;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            for (int c = 0; c < KC_EMOTION_CLASSES; c++)
                cr_assert_str_neq(k, kc_emotion_labels[c], "key %s at %s", k, where);
            for (size_t b = 0; b < sizeof banned / sizeof banned[0]; b++)
                cr_assert_str_neq(k, banned[b], "key %s at %s", k, where);
            if (!strcmp(k, "emotion")) {
                seen++;
                cr_assert(json_is_object(v) && json_object_size(v) == 1, "emotion at %s", where);
                cr_assert_str_eq(json_string_value(json_object_get(v, "status")),
                                 "disabled by policy");
                continue;
            }
            seen += walk(v, k);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) seen += walk(v, where);
    } else if (json_is_string(j)) {
        for (int c = 0; c < KC_EMOTION_CLASSES; c++)
            cr_assert_str_neq(json_string_value(j), kc_emotion_labels[c], "value at %s", where);
    }
    return seen;
}

Test(vision, emotion_policy_off_no_emotion_anywhere, .init = setup, .fini = teardown,
     .timeout = 300)
{
    const char *v = smiling_video();
    struct kc_speech_question q[2] = {{"q1", 0, 1.5}, {"q2", 1.5, 3}};
    json_t *res = analyze(v, NULL, q, 2); /* defaults: policy off */
    cr_assert_eq(walk(res, "result"), 1, "exactly one (disabled) emotion entry");
    cr_assert_null(json_object_get(json_object_get(res, "models"), "emotion"),
                   "the model was not even loaded");
    cr_assert_null(json_object_get(json_object_get(res, "timings_ms"), "emotion"));
    /* the smile measure is geometry and still runs */
    cr_assert_str_eq(status(metric(res, "smile_ratio")), "ok");
    json_decref(res);
}

/* ---- missing models ----------------------------------------------------------------------- */

/* A copy of the asset tree (symlinks) without `missing` (relative to the assets). */
static const char *assets_without(const char *missing)
{
    static char path[512];
    sh("mkdir -p '%s/assets/models/tfjs' && for f in '%s'/models/*.onnx '%s'/models/tfjs/*; do "
       "ln -s \"$f\" '%s/assets/'\"${f#%s/}\"; done && rm '%s/assets/%s'",
       dir, assets(), assets(), dir, assets(), dir, missing);
    snprintf(path, sizeof path, "%s/assets", dir);
    return path;
}

static void expect_unavailable(json_t *res, const char *name, const char *mentions)
{
    json_t *m = metric(res, name);
    cr_assert_str_eq(status(m), "unavailable", "%s is %s", name, status(m));
    cr_assert(json_is_null(json_object_get(m, "value")));
    const char *why = json_string_value(json_object_get(m, "reason"));
    cr_assert(why && strstr(why, mentions), "%s: reason '%s' lacks '%s'", name, why, mentions);
}

static void expect_ok(json_t *res, const char *name)
{
    json_t *m = metric(res, name);
    cr_assert_str_eq(status(m), "ok", "%s is %s (%s)", name, status(m),
                     json_string_value(json_object_get(m, "reason")));
    cr_assert(json_is_number(json_object_get(m, "value")));
}

Test(vision, missing_model_files, .init = setup, .fini = teardown, .timeout = 300)
{
    sh(FF " -loop 1 -framerate 30 -t 3 -i '%s/testdata/astronaut.png' -vf format=yuv420p"
          " -c:v libx264 -preset veryfast '%s'",
       shared(), file("face.mp4"));
    struct kc_vision_options o = kc_vision_options_default();

    o.assets_dir = assets_without("models/tfjs/posenet.json");
    json_t *res = analyze(file("face.mp4"), &o, NULL, 0);
    cr_assert_str_eq(json_string_value(json_object_get(res, "status")), "partial");
    cr_assert_not_null(json_object_get(json_object_get(res, "unavailable"), "posenet"));
    expect_unavailable(res, "shoulder_tilt_deg", "posenet.json");
    expect_unavailable(res, "lean", "posenet.json");
    expect_unavailable(res, "movement_energy", "posenet.json");
    const char *ok[] = {"face_presence_ratio", "eye_contact_ratio", "smile_ratio", "head_yaw_deg",
                        "nods"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) expect_ok(res, ok[i]);
    cr_assert_null(json_object_get(json_object_get(res, "models"), "posenet"));
    json_decref(res);

    sh("rm -rf '%s/assets'", dir);
    o.assets_dir = assets_without("models/tfjs/iris.json");
    res = analyze(file("face.mp4"), &o, NULL, 0);
    expect_unavailable(res, "eye_contact_ratio", "iris.json");
    cr_assert(json_is_null(json_object_get(json_object_get(res, "timelines"), "eye_contact")));
    expect_ok(res, "head_pitch_deg");
    expect_ok(res, "shoulder_tilt_deg");
    json_decref(res);

    sh("rm -rf '%s/assets'", dir);
    o.assets_dir = assets_without("models/tfjs/facemesh.json");
    res = analyze(file("face.mp4"), &o, NULL, 0);
    expect_ok(res, "face_presence_ratio"); /* BlazeFace alone still sees the face */
    cr_expect_float_eq(value(metric(res, "face_presence_ratio")), 1.0, 0.05);
    expect_unavailable(res, "smile_ratio", "facemesh.json");
    expect_unavailable(res, "blinks_per_minute", "facemesh.json");
    expect_unavailable(res, "eye_contact_ratio", "facemesh.json");
    json_decref(res);
}

/* ---- inputs ------------------------------------------------------------------------------- */

Test(vision, audio_only_is_unavailable_not_an_error, .init = setup, .fini = teardown)
{
    sh(FF " -f lavfi -i sine=frequency=300:duration=2 -c:a aac '%s'", file("a.m4a"));
    json_t *res = analyze(file("a.m4a"), NULL, NULL, 0);
    cr_assert_str_eq(json_string_value(json_object_get(res, "status")), "unavailable");
    const char *k;
    json_t *m;
    json_object_foreach(json_object_get(res, "metrics"), k, m)
    {
        cr_assert_str_eq(status(m), "unavailable", "%s", k);
        cr_assert(json_is_null(json_object_get(m, "value")));
    }
    cr_assert_eq(json_object_size(json_object_get(res, "metrics")), 11);
    json_decref(res);
}

Test(vision, truncated_video_is_partial, .init = setup, .fini = teardown, .timeout = 300)
{
    /* headers first (faststart), then cut to 60 %: the last 40 % of the frames are missing
     * (noise spreads the bytes evenly over the frames) */
    sh(FF " -loop 1 -framerate 30 -t 6 -i '%s/testdata/astronaut.png'"
          " -vf noise=alls=8:allf=t,format=yuv420p"
          " -c:v libx264 -preset veryfast -movflags +faststart '%s' && head -c $(( $(stat -c %%s "
          "'%s') * 6 / 10 )) '%s' > '%s'",
       shared(), file("full.mp4"), file("full.mp4"), file("full.mp4"), file("cut.mp4"));
    json_t *res = analyze(file("cut.mp4"), NULL, NULL, 0);
    cr_assert_str_eq(json_string_value(json_object_get(res, "status")), "partial");
    cr_assert_not_null(json_object_get(res, "reason"));
    expect_ok(res, "face_presence_ratio"); /* what was read is analysed */
    json_decref(res);
}

Test(vision, bad_inputs_are_refused, .init = setup, .fini = teardown)
{
    struct kc_err err = {0};
    cr_assert_null(kc_vision_analyze(file("nope.mp4"), NULL, NULL, 0, NULL, NULL, &err));
    cr_assert_eq(err.code, KC_E_NOT_FOUND, "%s", err.message);
    sh("head -c 5000 /dev/urandom > '%s'", file("garbage.mp4"));
    cr_assert_null(kc_vision_analyze(file("garbage.mp4"), NULL, NULL, 0, NULL, NULL, &err));
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE, "%s", err.message);
    sh(FF " -f lavfi -i color=black:s=160x120:r=15:d=1 -c:v libx264 '%s'", file("b.mp4"));
    struct kc_speech_question bad[1] = {{"q1", 5.0, 2.0}};
    kc_err_clear(&err);
    cr_assert_null(kc_vision_analyze(file("b.mp4"), NULL, bad, 1, NULL, NULL, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_str_eq(err.field, "questions");
    struct kc_speech_question noid[1] = {{NULL, 0, 1}};
    cr_assert_null(kc_vision_analyze(file("b.mp4"), NULL, noid, 1, NULL, NULL, &err));
    struct kc_vision_options o = kc_vision_options_default();
    o.mesh_fps = 500;
    cr_assert_null(kc_vision_analyze(file("b.mp4"), &o, NULL, 0, NULL, NULL, &err));
    cr_assert_str_eq(err.field, "mesh_fps");
    o = kc_vision_options_default();
    o.iris_fps = NAN;
    cr_assert_null(kc_vision_analyze(file("b.mp4"), &o, NULL, 0, NULL, NULL, &err));
    cr_assert_str_eq(err.field, "iris_fps");
    /* a black video is valid: no face, and the face metrics say why they have no value */
    json_t *res = analyze(file("b.mp4"), NULL, NULL, 0);
    cr_assert_float_eq(value(metric(res, "face_presence_ratio")), 0.0, 1e-9);
    cr_assert_str_eq(status(metric(res, "head_yaw_deg")), "insufficient_data");
    cr_assert_str_eq(status(metric(res, "smile_ratio")), "insufficient_data");
    json_decref(res);
}

/*
 * test_media.c — media.h against generated fixtures: every container/codec pair the browsers
 * and phones produce decodes with the right duration and frame count at the requested rate,
 * and every class of broken input gets its own clear error (or a partial result that names the
 * missing half).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "media.h"

static void quiet(void)
{
    kc_media_quiet_logs();
    cr_assert_not_null(kc_fixtures_dir(), "fixtures could not be generated");
}

TestSuite(media, .init = quiet);

struct decode_result {
    long frames;
    double first_t, last_t, min_gap;
    int w, h;
    bool has_content;
};

static struct decode_result decode_video(struct kc_media *m, double fps, int max_side)
{
    struct kc_err err = {0};
    struct decode_result r = {0, NAN, NAN, 1e9, 0, 0, false};
    struct kc_media_video *v = kc_media_video_open(m, fps, max_side, &err);
    cr_assert_not_null(v, "video_open: %s", err.message);
    struct kc_media_frame f;
    int rc = kc_media_video_next(v, &f, &err);
    double prev = -1;
    for (; rc == 1; rc = kc_media_video_next(v, &f, &err)) {
        cr_assert_eq(f.index, r.frames);
        cr_assert(f.t >= prev, "time went back: %f after %f", f.t, prev);
        if (prev >= 0 && f.t - prev < r.min_gap) r.min_gap = f.t - prev;
        if (r.frames == 0) r.first_t = f.t;
        r.last_t = f.t;
        prev = f.t;
        r.w = f.width;
        r.h = f.height;
        cr_assert_geq(f.stride, 3 * f.width);
        /* testsrc2 is colourful: a row of the frame must not be constant */
        const uint8_t *row = f.rgb + (size_t)f.stride * (size_t)(f.height / 2);
        for (int x = 1; x < f.width && !r.has_content; x++)
            if (abs(row[3 * x] - row[0]) > 40) r.has_content = true;
        r.frames++;
    }
    cr_assert_eq(rc, 0, "video_next failed: %s", err.message);
    kc_media_video_close(v);
    return r;
}

static void check_av_file(const char *name, const char *vcodec, const char *acodec)
{
    struct kc_err err = {0};
    struct kc_media_opts o = {.threads = 2};
    struct kc_media *m = kc_media_open(kc_fixture(name), &o, &err);
    cr_assert_not_null(m, "%s: %s", name, err.message);
    const struct kc_media_info *in = kc_media_info(m);
    cr_expect_float_eq(in->duration_s, 4.0, 0.1, "%s duration %f", name, in->duration_s);
    cr_assert(in->video.available, "%s: %s", name, in->video.reason);
    cr_expect_eq(in->video.width, 640);
    cr_expect_eq(in->video.height, 360);
    cr_expect_float_eq(in->video.fps, 30.0, 0.01, "%s fps %f", name, in->video.fps);
    cr_expect_str_eq(in->video.codec, vcodec);
    cr_assert(in->audio.available, "%s: %s", name, in->audio.reason);
    cr_expect_str_eq(in->audio.codec, acodec);

    struct decode_result all = decode_video(m, 0, 0);
    cr_expect(all.frames >= 119 && all.frames <= 121, "%s: %ld frames at full rate", name,
              all.frames);
    cr_expect(all.has_content, "%s: frames look blank", name);
    cr_expect_float_eq(all.first_t, 0.0, 0.02, "%s first frame at %f", name, all.first_t);

    struct decode_result half = decode_video(m, 15, 0);
    /* 4 s at 15 fps = 60 frames. Non-reference frames are not decoded at this rate, so a
     * sampling instant may fall on a skipped frame and take the next decoded one: spacing
     * varies between one and two source frame periods, the count stays right. */
    cr_expect(half.frames >= 59 && half.frames <= 61, "%s: %ld frames at 15 fps", name,
              half.frames);
    cr_expect_geq(half.min_gap, 1.0 / 30 - 0.002, "%s: frames %.4f s apart", name, half.min_gap);
    cr_expect_float_eq(half.last_t, 4.0 - 1.0 / 15, 1.0 / 15, "%s last %f", name, half.last_t);

    struct decode_result small = decode_video(m, 5, 320);
    cr_expect_eq(small.w, 320);
    cr_expect_eq(small.h, 180);
    cr_expect(small.frames >= 19 && small.frames <= 21, "%s: %ld frames at 5 fps", name,
              small.frames);

    struct kc_audio a;
    cr_assert_eq(kc_media_read_audio(m, &a, &err), 0, "%s audio: %s", name, err.message);
    cr_expect_float_eq(a.duration_s, 4.0, 0.1, "%s audio duration %f", name, a.duration_s);
    /* lavfi sine has amplitude 1/8: RMS 0.0884 (codecs keep it within a few percent) */
    double ss = 0;
    size_t from = a.count / 4, to = a.count * 3 / 4;
    for (size_t i = from; i < to; i++) ss += (double)a.samples[i] * a.samples[i];
    double rms = sqrt(ss / (double)(to - from));
    cr_expect_float_eq(rms, 0.125 / sqrt(2.0), 0.01, "%s audio rms %f", name, rms);
    kc_audio_free(&a);
    kc_media_close(m);
}

Test(media, mp4_h264_aac)
{
    check_av_file("v.mp4", "h264", "aac");
}
Test(media, mov_h264_aac)
{
    check_av_file("v.mov", "h264", "aac");
}
Test(media, webm_vp8_opus)
{
    check_av_file("v.webm", "vp8", "opus");
}
Test(media, webm_vp9_opus)
{
    check_av_file("v9.webm", "vp9", "opus");
}
Test(media, mkv_h264_opus)
{
    check_av_file("v.mkv", "h264", "opus");
}

Test(media, from_memory_buffer)
{
    size_t size;
    void *data = kc_fixture_read(kc_fixture("v.webm"), &size);
    cr_assert_not_null(data);
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open_buffer(data, size, NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct decode_result r = decode_video(m, 10, 0);
    cr_expect(r.frames >= 39 && r.frames <= 41, "%ld frames at 10 fps", r.frames);
    struct kc_audio a;
    cr_assert_eq(kc_media_read_audio(m, &a, &err), 0, "%s", err.message);
    cr_expect_float_eq(a.duration_s, 4.0, 0.1);
    kc_audio_free(&a);
    kc_media_close(m);
    free(data);
}

static void expect_open_error(const char *path, enum kc_err_code code, const char *needle)
{
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(path, NULL, &err);
    cr_assert_null(m, "%s opened but should not", path);
    cr_expect_eq(err.code, code, "%s: code %d (%s)", path, err.code, err.message);
    cr_expect_not_null(strstr(err.message, needle), "%s: message '%s' lacks '%s'", path,
                       err.message, needle);
}

Test(media, zero_length_file)
{
    const char *dir = kc_fixture_tmpdir();
    cr_assert_not_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/empty.mp4", dir);
    cr_assert_eq(kc_fixture_write(path, "", 0), 0);
    expect_open_error(path, KC_E_UNPROCESSABLE, "empty");
    struct kc_err err = {0};
    cr_expect_null(kc_media_open_buffer("", 0, NULL, &err));
    cr_expect_eq(err.code, KC_E_UNPROCESSABLE);
    remove(path);
    rmdir(dir);
}

Test(media, missing_file)
{
    expect_open_error("/nonexistent/interview.mp4", KC_E_NOT_FOUND, "interview.mp4");
}

Test(media, truncated_mp4_without_index)
{
    expect_open_error(kc_fixture("trunc_end.mp4"), KC_E_UNPROCESSABLE, "damaged or truncated");
    /* the first 100 bytes of a WebM: a header that stops short */
    size_t size;
    void *data = kc_fixture_read(kc_fixture("v.webm"), &size);
    cr_assert_not_null(data);
    struct kc_err err = {0};
    cr_expect_null(kc_media_open_buffer(data, 100, NULL, &err));
    cr_expect_eq(err.code, KC_E_UNPROCESSABLE);
    cr_expect_not_null(strstr(err.message, "damaged or truncated"), "%s", err.message);
    free(data);
}

Test(media, truncated_mp4_with_index_decodes_partially)
{
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("trunc_fs.mp4"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct decode_result r = decode_video(m, 0, 0);
    cr_expect_gt(r.frames, 0);
    cr_expect_lt(r.frames, 115, "%ld frames from a file cut at 60%%", r.frames);
    kc_media_close(m);
}

Test(media, random_bytes)
{
    unsigned char buf[65536];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1664525u + 1013904223u;
        buf[i] = (unsigned char)(x >> 24);
    }
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open_buffer(buf, sizeof buf, NULL, &err);
    cr_expect_null(m);
    cr_expect_eq(err.code, KC_E_UNPROCESSABLE, "code %d: %s", err.code, err.message);
    cr_expect_not_null(strstr(err.message, "not a recognised"), "%s", err.message);
    kc_media_close(m);
}

Test(media, audio_only_reports_video_unavailable)
{
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("audio_only.m4a"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    const struct kc_media_info *in = kc_media_info(m);
    cr_expect(!in->video.available);
    cr_expect_not_null(strstr(in->video.reason, "no video"), "%s", in->video.reason);
    cr_expect_null(kc_media_video_open(m, 15, 0, &err));
    cr_expect_eq(err.code, KC_E_UNPROCESSABLE);
    struct kc_audio a;
    cr_assert_eq(kc_media_read_audio(m, &a, &err), 0, "%s", err.message);
    cr_expect_float_eq(a.duration_s, in->duration_s, 0.1);
    cr_expect_gt(a.duration_s, 15.0);
    kc_audio_free(&a);
    kc_media_close(m);
}

Test(media, video_only_reports_audio_unavailable)
{
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("video_only.mp4"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    const struct kc_media_info *in = kc_media_info(m);
    cr_expect(in->video.available);
    cr_expect(!in->audio.available);
    cr_expect_not_null(strstr(in->audio.reason, "no audio"), "%s", in->audio.reason);
    struct kc_audio a;
    cr_expect_eq(kc_media_read_audio(m, &a, &err), -1);
    cr_expect_eq(err.code, KC_E_UNPROCESSABLE);
    cr_expect_null(a.samples);
    kc_media_close(m);
}

Test(media, absurd_dimensions)
{
    expect_open_error(kc_fixture("big.mkv"), KC_E_UNPROCESSABLE, "8200x16");
    /* with an audio track, the audio half is still usable and the video half says why not */
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("big_av.mkv"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    const struct kc_media_info *in = kc_media_info(m);
    cr_expect(!in->video.available);
    cr_expect_not_null(strstr(in->video.reason, "8192"), "%s", in->video.reason);
    cr_expect(in->audio.available, "%s", in->audio.reason);
    kc_media_close(m);
}

Test(media, speech_track_alignment)
{
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("speech.mp4"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct kc_audio a;
    cr_assert_eq(kc_media_read_audio(m, &a, &err), 0, "%s", err.message);
    size_t n_wav;
    int rate;
    float *wav = kc_fixture_read_wav(kc_fixture("speech_en.wav"), &n_wav, &rate);
    cr_assert_not_null(wav);
    cr_assert_eq(rate, 16000);
    cr_expect_float_eq(a.duration_s, n_wav / 16000.0, 0.1);
    /* the first second is digital silence in the source: it must stay at time 0..1 s */
    double lead = 0;
    for (size_t i = 0; i < 14000 && i < a.count; i++) lead += fabs(a.samples[i]);
    cr_expect_lt(lead / 14000, 1e-3, "mean |x| in the silent lead %f", lead / 14000);
    free(wav);
    kc_audio_free(&a);
    kc_media_close(m);
}

Test(media, rotation_matches_ffmpeg_autorotate)
{
    struct kc_err err = {0};
    struct kc_media *m = kc_media_open(kc_fixture("rot.mp4"), NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    const struct kc_media_info *in = kc_media_info(m);
    cr_assert_eq(in->video.width, 160);
    cr_assert_eq(in->video.height, 120);
    cr_assert(in->video.rotation == 90 || in->video.rotation == 270, "rotation %d",
              in->video.rotation);
    size_t size;
    uint8_t *up = kc_fixture_read(kc_fixture("rot_upright.rgb"), &size);
    cr_assert_not_null(up);
    cr_assert_eq(size, 120 * 160 * 3);
    struct kc_media_video *v = kc_media_video_open(m, 0, 0, &err);
    struct kc_media_frame f;
    cr_assert_eq(kc_media_video_next(v, &f, &err), 1, "%s", err.message);
    /* rotate the stored frame clockwise by `rotation` and compare with the upright one */
    double diff = 0;
    for (int y = 0; y < 160; y++) {     /* upright: 120 wide, 160 high */
        for (int x = 0; x < 120; x++) { /* clockwise 90: (x,y) <- (y, H-1-x) of the stored */
            int sx = in->video.rotation == 90 ? y : 159 - y;
            int sy = in->video.rotation == 90 ? 119 - x : x;
            for (int c = 0; c < 3; c++)
                diff += abs(up[(y * 120 + x) * 3 + c] - f.rgb[sy * f.stride + sx * 3 + c]);
        }
    }
    diff /= 120.0 * 160 * 3;
    cr_expect_lt(diff, 4.0, "mean |difference| %.2f after rotating %d degrees", diff,
                 in->video.rotation);
    kc_media_video_close(v);
    free(up);
    kc_media_close(m);
}

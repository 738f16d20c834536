/*
 * test_face_track.c — the detection/tracking state machine (face_track.h) on a real face
 * (shared/testdata/astronaut.png) and a blank frame, and the landmark crop geometry.
 * Skips only when the model asset directory is missing.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "face_track.h"

static const char *assets(void)
{
    const char *a = getenv("KOCRUIT_ASSETS");
    return a && *a ? a : KC_DEFAULT_ASSETS;
}

static void load_astronaut(struct kc_image *im)
{
    char path[1024];
    struct kc_err err = {0};
    const char *shared = getenv("KC_SHARED_DIR");
    snprintf(path, sizeof path, "%s/testdata/astronaut.png", shared ? shared : "/work/shared");
    cr_assert_eq(kc_image_load(path, im, &err), 0, "%s", err.message);
}

struct models {
    struct kc_blazeface *bf;
    struct kc_facemesh *fm;
};

static void open_models(struct models *m)
{
    struct stat st;
    struct kc_err err = {0};
    if (stat(assets(), &st) != 0) cr_skip_test("asset directory %s is missing", assets());
    m->bf = kc_blazeface_open(NULL, NULL, &err);
    cr_assert_not_null(m->bf, "%s", err.message);
    m->fm = kc_facemesh_open(NULL, 1, &err);
    cr_assert_not_null(m->fm, "%s", err.message);
}

static struct kc_face_obs obs;

Test(face_track, detect_then_track_then_lose)
{
    struct models m;
    struct kc_image face, blank;
    struct kc_err err = {0};
    open_models(&m);
    load_astronaut(&face);
    cr_assert_eq(kc_image_alloc(&blank, face.w, face.h, &err), 0);
    struct kc_face_track *tr = kc_face_track_new(m.bf, m.fm, NULL, &err);
    cr_assert_not_null(tr);

    cr_assert_eq(kc_face_track_step(tr, &face, &obs, &err), 1, "%s", err.message);
    cr_assert(obs.detected && obs.found && obs.has_mesh);
    cr_assert_gt(obs.detect_score, 0.75f);
    float nose_x = obs.mesh.image[1][0], nose_y = obs.mesh.image[1][1];
    /* the face is in the upper middle of the portrait */
    cr_assert(nose_x > 180 && nose_x < 280 && nose_y > 80 && nose_y < 180, "nose %f,%f", nose_x,
              nose_y);

    /* second frame: tracked from the landmarks, no detection, same landmarks within 2 px */
    cr_assert_eq(kc_face_track_step(tr, &face, &obs, &err), 1);
    cr_assert_not(obs.detected);
    cr_assert_lt(hypotf(obs.mesh.image[1][0] - nose_x, obs.mesh.image[1][1] - nose_y), 2.0f);

    /* the face disappears: the flag drops, detection finds nothing */
    cr_assert_eq(kc_face_track_step(tr, &blank, &obs, &err), 0);
    cr_assert(obs.detected);
    cr_assert_not(obs.found);
    /* and comes back: detected again */
    cr_assert_eq(kc_face_track_step(tr, &face, &obs, &err), 1);
    cr_assert(obs.detected);

    struct kc_face_track_stats st;
    kc_face_track_stats(tr, &st);
    cr_assert_eq(st.detect_runs, 3);
    cr_assert_eq(st.mesh_runs, 4); /* detect+mesh, track, track (rejected), detect+mesh */
    cr_assert_gt(st.mesh_ms, 0.0);
    kc_face_track_free(tr);
    kc_image_free(&face);
    kc_image_free(&blank);
    kc_facemesh_free(m.fm);
    kc_blazeface_free(m.bf);
}

Test(face_track, periodic_redetection_and_presence_only)
{
    struct models m;
    struct kc_image face;
    struct kc_err err = {0};
    open_models(&m);
    load_astronaut(&face);
    struct kc_face_track_options o = {.redetect_every = 2};
    struct kc_face_track *tr = kc_face_track_new(m.bf, m.fm, &o, &err);
    const bool expect[6] = {true, false, false, true, false, false};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(kc_face_track_step(tr, &face, &obs, &err), 1);
        cr_expect_eq(obs.detected, expect[i], "frame %d", i);
    }
    kc_face_track_free(tr);
    /* without FaceMesh every frame is a detection and there are no landmarks */
    tr = kc_face_track_new(m.bf, NULL, NULL, &err);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(kc_face_track_step(tr, &face, &obs, &err), 1);
        cr_assert(obs.detected && obs.found && !obs.has_mesh);
    }
    kc_face_track_free(tr);
    cr_assert_null(kc_face_track_new(NULL, m.fm, NULL, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    kc_image_free(&face);
    kc_facemesh_free(m.fm);
    kc_blazeface_free(m.bf);
}

Test(face_track, small_face_in_a_wide_frame)
{
    /* the portrait scaled to 768 px and pasted into a 2000x800 frame: its ~165 px face is ~10 px
     * in the letterboxed 128 input, too small for the front model; the square windows (800 px,
     * face ~26 px) find it */
    struct models m;
    struct kc_image face, big, wide;
    struct kc_err err = {0};
    open_models(&m);
    load_astronaut(&face);
    cr_assert_eq(kc_image_alloc(&big, 768, 768, &err), 0);
    kc_image_resize(&face, &big);
    cr_assert_eq(kc_image_alloc(&wide, 2000, 800, &err), 0);
    for (int y = 0; y < big.h; y++)
        memcpy(wide.data + (size_t)(y + 16) * wide.stride + 1100 * 3,
               big.data + (size_t)y * big.stride, (size_t)big.w * 3);
    struct kc_face_track *tr = kc_face_track_new(m.bf, m.fm, NULL, &err);
    cr_assert_eq(kc_face_track_step(tr, &wide, &obs, &err), 1, "%s", err.message);
    float nose_x = obs.mesh.image[1][0], nose_y = obs.mesh.image[1][1];
    /* the nose sits near (1100 + 1.5 * 224, 16 + 1.5 * 130) */
    cr_assert(fabsf(nose_x - 1436) < 40 && fabsf(nose_y - 211) < 40, "nose %f,%f", nose_x, nose_y);
    struct kc_face_track_stats st;
    kc_face_track_stats(tr, &st);
    cr_assert_geq(st.detect_runs, 2, "the whole frame, then the windows");
    kc_face_track_free(tr);
    kc_image_free(&wide);
    kc_image_free(&big);
    kc_image_free(&face);
    kc_facemesh_free(m.fm);
    kc_blazeface_free(m.bf);
}

Test(face_track, crop_from_landmarks)
{
    static float mesh[468][2];
    /* landmarks spanning 80 x 120 around (200, 150), eyes level */
    for (int i = 0; i < 468; i++) {
        mesh[i][0] = 160 + (float)(i % 9) * 10;
        mesh[i][1] = 90 + (float)(i % 13) * 10;
    }
    mesh[33][0] = 170, mesh[33][1] = 120, mesh[263][0] = 230, mesh[263][1] = 120;
    struct kc_affine a = kc_face_track_crop_from_mesh((const float(*)[2])mesh, 1.5f, 192);
    float x0, y0, x1, y1;
    kc_affine_apply(&a, 0, 0, &x0, &y0);
    kc_affine_apply(&a, 192, 192, &x1, &y1);
    cr_assert_float_eq(x0, 200 - 90, 0.01); /* side = 1.5 x 120 = 180, centred */
    cr_assert_float_eq(y0, 150 - 90, 0.01);
    cr_assert_float_eq(x1, 200 + 90, 0.01);
    cr_assert_float_eq(y1, 150 + 90, 0.01);
}

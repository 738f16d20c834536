/*
 * face_track.c — detection + landmark tracking state machine (face_track.h).
 *
 * State: the crop for the next frame (valid while `tracking`) and the number of frames since
 * the last detection. Timing is the thread's CPU time per model call, summed into the stats.
 */
#include "face_track.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#define MAX_FACES     8
#define WINDOW_ASPECT 1.2f /* frames wider (or taller) than this get the window pass */

struct kc_face_track {
    struct kc_blazeface *bf;
    struct kc_facemesh *fm;
    struct kc_face_track_options opt;
    bool tracking;
    int since_detect;
    struct kc_affine crop;
    struct kc_face_track_stats stats;
};

/* CPU time of the calling thread: stage costs stay meaningful on a loaded machine. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct kc_face_track *kc_face_track_new(struct kc_blazeface *bf, struct kc_facemesh *fm,
                                        const struct kc_face_track_options *opt, struct kc_err *err)
{
    if (!bf) {
        kc_err_set(err, KC_E_INVALID, "face tracker needs a BlazeFace detector");
        return NULL;
    }
    struct kc_face_track *tr = calloc(1, sizeof *tr);
    if (!tr) {
        kc_err_set(err, KC_E_NOMEM, "out of memory for the face tracker");
        return NULL;
    }
    tr->bf = bf;
    tr->fm = fm;
    if (opt) tr->opt = *opt;
    if (tr->opt.enlarge <= 0) tr->opt.enlarge = 1.5f;
    if (tr->opt.min_face_flag <= 0) tr->opt.min_face_flag = 0.5f;
    if (tr->opt.redetect_every < 0) tr->opt.redetect_every = 0;
    return tr;
}

void kc_face_track_free(struct kc_face_track *tr)
{
    free(tr);
}

void kc_face_track_reset(struct kc_face_track *tr)
{
    tr->tracking = false;
}

void kc_face_track_stats(const struct kc_face_track *tr, struct kc_face_track_stats *out)
{
    *out = tr->stats;
}

struct kc_affine kc_face_track_crop_from_mesh(const float (*mesh)[2], float enlarge, int size)
{
    float angle = atan2f(mesh[263][1] - mesh[33][1], mesh[263][0] - mesh[33][0]);
    float c = cosf(angle), s = sinf(angle);
    float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < KC_FACEMESH_POINTS; i++) { /* extent in the eye-levelled frame */
        float u = c * mesh[i][0] + s * mesh[i][1], v = -s * mesh[i][0] + c * mesh[i][1];
        lo[0] = fminf(lo[0], u), hi[0] = fmaxf(hi[0], u);
        lo[1] = fminf(lo[1], v), hi[1] = fmaxf(hi[1], v);
    }
    float cu = (lo[0] + hi[0]) / 2, cv = (lo[1] + hi[1]) / 2;
    float side = enlarge * fmaxf(hi[0] - lo[0], hi[1] - lo[1]);
    return kc_affine_rotated_square(c * cu - s * cv, s * cu + c * cv, side, angle, size);
}

static bool mesh_finite(const struct kc_facemesh_result *r)
{
    for (int i = 0; i < KC_FACEMESH_POINTS; i++)
        if (!isfinite(r->image[i][0]) || !isfinite(r->image[i][1])) return false;
    return isfinite(r->face_flag);
}

/* FaceMesh on a crop; 1 accepted, 0 rejected (flag low or non-finite output), -1 error. */
static int run_mesh(struct kc_face_track *tr, const struct kc_image *img,
                    const struct kc_affine *crop, struct kc_face_obs *out, struct kc_err *err)
{
    double t0 = now_ms();
    int rc = kc_facemesh_run_image(tr->fm, img, crop, &out->mesh, err);
    tr->stats.mesh_ms += now_ms() - t0;
    tr->stats.mesh_runs++;
    if (rc != 0) return -1;
    if (!mesh_finite(&out->mesh) || out->mesh.face_flag < tr->opt.min_face_flag) return 0;
    tr->crop = kc_face_track_crop_from_mesh((const float(*)[2])out->mesh.image, tr->opt.enlarge,
                                            KC_FACEMESH_SIZE);
    tr->tracking = true;
    out->found = out->has_mesh = true;
    return 1;
}

/* BlazeFace over square windows of side = the frame's shorter side, spread evenly along the
 * longer side (zero-copy views into the frame), for faces too small in the letterboxed frame.
 * Detections are shifted back into frame coordinates. Returns the count or -1. */
static int detect_windows(struct kc_face_track *tr, const struct kc_image *img,
                          struct kc_blazeface_face *faces, struct kc_err *err)
{
    int side = img->w < img->h ? img->w : img->h, longer = img->w > img->h ? img->w : img->h;
    int nwin = (longer + side - 1) / side + 1, n = 0;
    for (int k = 0; k < nwin && n == 0; k++) {
        int off = (int)((long)(longer - side) * k / (nwin - 1));
        struct kc_image view = *img;
        view.w = view.h = side;
        view.data = img->data + (img->w > img->h ? (size_t)off * 3 : (size_t)off * img->stride);
        n = kc_blazeface_detect(tr->bf, &view, faces, MAX_FACES, err);
        tr->stats.detect_runs++;
        for (int i = 0; i < n; i++) {
            float dx = img->w > img->h ? (float)off : 0, dy = img->w > img->h ? 0 : (float)off;
            faces[i].x += dx, faces[i].y += dy;
            for (int j = 0; j < KC_BLAZEFACE_KEYPOINTS; j++)
                faces[i].keypoints[j].x += dx, faces[i].keypoints[j].y += dy;
        }
    }
    return n;
}

/* BlazeFace on the whole frame (then, for a clearly non-square frame that shows no face, on
 * square windows), then FaceMesh on the largest face. */
static int detect(struct kc_face_track *tr, const struct kc_image *img, struct kc_face_obs *out,
                  struct kc_err *err)
{
    struct kc_blazeface_face faces[MAX_FACES];
    double t0 = now_ms();
    int n = kc_blazeface_detect(tr->bf, img, faces, MAX_FACES, err);
    tr->stats.detect_runs++;
    if (n == 0 && (img->w > WINDOW_ASPECT * img->h || img->h > WINDOW_ASPECT * img->w))
        n = detect_windows(tr, img, faces, err);
    tr->stats.detect_ms += now_ms() - t0;
    out->detected = true;
    tr->tracking = false;
    tr->since_detect = 0;
    if (n < 0) return -1;
    if (n == 0) return 0;
    int best = 0;
    for (int i = 1; i < n; i++)
        if (faces[i].w * faces[i].h > faces[best].w * faces[best].h) best = i;
    out->detect_score = faces[best].score;
    if (!tr->fm) {
        out->found = true;
        return 1;
    }
    struct kc_affine crop = kc_blazeface_face_crop(&faces[best], tr->opt.enlarge, KC_FACEMESH_SIZE);
    int rc = run_mesh(tr, img, &crop, out, err);
    if (rc == 0) out->detect_score = 0;
    return rc;
}

int kc_face_track_step(struct kc_face_track *tr, const struct kc_image *img,
                       struct kc_face_obs *out, struct kc_err *err)
{
    out->found = out->detected = out->has_mesh = false;
    out->detect_score = 0;
    if (!img || !img->data || img->w <= 0 || img->h <= 0)
        return kc_err_set(err, KC_E_INVALID, "face tracker: no image");
    bool due = tr->opt.redetect_every > 0 && tr->since_detect >= tr->opt.redetect_every;
    if (tr->tracking && tr->fm && !due) {
        struct kc_affine crop = tr->crop;
        int rc = run_mesh(tr, img, &crop, out, err);
        if (rc != 0) {
            tr->since_detect++;
            return rc;
        }
        tr->tracking = false; /* flag dropped: fall through to a detection */
    }
    return detect(tr, img, out, err);
}

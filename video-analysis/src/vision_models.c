/*
 * vision_models.c — where the vision models are, opening one worker's set, and the "models"
 * section of the result (file name and sha256 of what actually ran, so a result names the
 * exact model version).
 *
 * Paths follow ASSETS.md: <assets>/models/<BlazeFace onnx>, <assets>/models/tfjs/<name>.json
 * with its weight shards listed in the json's weightsManifest. A model that cannot be opened
 * (missing file, no ONNX Runtime, a file of the wrong model) is recorded with the wrapper's
 * message as the reason; the metrics that need it are then unavailable.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "vision_internal.h"

#include "ml/models/assets.h"

const char *const kc_vision_model_names[KC_VM_COUNT] = {"blazeface", "facemesh", "iris", "emotion",
                                                        "posenet"};

static const char *const relative[KC_VM_COUNT] = {"models/" KC_BLAZEFACE_FILE, KC_FACEMESH_FILE,
                                                  KC_IRIS_FILE, KC_EMOTION_FILE, KC_POSENET_FILE};

static const char *const display[KC_VM_COUNT] = {"BlazeFace", "FaceMesh", "Iris", "Emotion",
                                                 "PoseNet"};

void kc_vision_catalog_init(struct kc_vision_catalog *c, const char *assets_dir,
                            bool emotion_enabled)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < KC_VM_COUNT; i++) {
        struct kc_err e = {0};
        char given[1024];
        const char *path = NULL;
        c->wanted[i] = i != KC_VM_EMOTION || emotion_enabled;
        if (!c->wanted[i]) continue;
        if (assets_dir) {
            int len = snprintf(given, sizeof given, "%s/%s", assets_dir, relative[i]);
            path = len > 0 && (size_t)len < sizeof given ? given : "";
        }
        if (kc_ml_model_file(c->path[i], sizeof c->path[i], path, relative[i], display[i], &e) ==
            0) {
            c->usable[i] = true;
        } else {
            snprintf(c->reason[i], sizeof c->reason[i], "%s", e.message);
        }
    }
}

void kc_vision_models_open(struct kc_vision_models *m, const struct kc_vision_catalog *c,
                           char reasons[KC_VM_COUNT][512])
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < KC_VM_COUNT; i++) {
        struct kc_err e = {0};
        void *h = NULL;
        reasons[i][0] = '\0';
        if (!c->usable[i]) continue;
        const char *p = c->path[i];
        switch (i) {
        case KC_VM_BLAZEFACE: {
            struct kc_blazeface_options o = {.threads = 1};
            h = m->bf = kc_blazeface_open(p, &o, &e);
            break;
        }
        case KC_VM_FACEMESH: h = m->fm = kc_facemesh_open(p, 1, &e); break;
        case KC_VM_IRIS: h = m->iris = kc_iris_open(p, 1, &e); break;
        case KC_VM_EMOTION: h = m->emotion = kc_emotion_open(p, 1, &e); break;
        case KC_VM_POSENET: h = m->pose = kc_posenet_open(p, 1, &e); break;
        }
        if (!h) snprintf(reasons[i], 512, "%s", e.message[0] ? e.message : "cannot be opened");
    }
}

void kc_vision_models_close(struct kc_vision_models *m)
{
    kc_blazeface_free(m->bf);
    kc_facemesh_free(m->fm);
    kc_iris_free(m->iris);
    kc_emotion_free(m->emotion);
    kc_posenet_free(m->pose);
    memset(m, 0, sizeof *m);
}

/* ---- hashes ------------------------------------------------------------------------------ */

static int hash_file(crypto_hash_sha256_state *st, const char *path)
{
    unsigned char buf[65536];
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) crypto_hash_sha256_update(st, buf, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static json_t *hex_digest(crypto_hash_sha256_state *st)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256_final(st, d);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    return json_string(hex);
}

/* sha256 over the weight shards of a TF.js model.json, in manifest order; NULL if unreadable. */
static json_t *weights_digest(const char *json_path)
{
    json_t *root = json_load_file(json_path, 0, NULL);
    json_t *man = json_object_get(root, "weightsManifest");
    const char *slash = strrchr(json_path, '/');
    int dir_len = slash ? (int)(slash - json_path) : 1;
    const char *dir = slash ? json_path : ".";
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    size_t gi, pi, files = 0;
    json_t *group, *p;
    int bad = !json_is_array(man);
    json_array_foreach(man, gi, group)
    {
        json_array_foreach(json_object_get(group, "paths"), pi, p)
        {
            char full[1400];
            if (!json_is_string(p)) {
                bad = 1;
                continue;
            }
            snprintf(full, sizeof full, "%.*s/%s", dir_len, dir, json_string_value(p));
            bad |= hash_file(&st, full) != 0;
            files++;
        }
    }
    json_decref(root);
    return bad || files == 0 ? NULL : hex_digest(&st);
}

json_t *kc_vision_models_json(const struct kc_vision_catalog *c)
{
    json_t *out = json_object();
    if (!out || sodium_init() < 0) {
        json_decref(out);
        return NULL;
    }
    for (int i = 0; i < KC_VM_COUNT; i++) {
        if (!c->usable[i]) continue;
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        const char *base = strrchr(c->path[i], '/');
        json_t *o = json_pack("{s:s}", "file", base ? base + 1 : c->path[i]);
        if (!o) continue;
        json_object_set_new(o, "sha256",
                            hash_file(&st, c->path[i]) == 0 ? hex_digest(&st) : json_null());
        if (i != KC_VM_BLAZEFACE) {
            json_t *w = weights_digest(c->path[i]);
            json_object_set_new(o, "weights_sha256", w ? w : json_null());
        }
        json_object_set_new(out, kc_vision_model_names[i], o);
    }
    return out;
}

/*
 * fixtures.c — see fixtures.h. The fixture directory lives in the build tree
 * ($KC_BUILD_DIR/video-fixtures, or the build tree compiled in when a test runs outside ctest)
 * so that it is shared between test processes and removed with the build; the generator script
 * comes from the source tree ($KC_SOURCE_DIR, or the path compiled in as KC_FIXTURE_SCRIPT).
 */
#include "fixtures.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KC_FIXTURE_SCRIPT
#define KC_FIXTURE_SCRIPT "video-analysis/tests/mk_fixtures.sh"
#endif
#ifndef KC_FIXTURE_BUILD_DIR
#define KC_FIXTURE_BUILD_DIR "/tmp/kc-video-fixtures"
#endif

static char g_dir[1024];

const char *kc_fixtures_dir(void)
{
    if (g_dir[0]) return g_dir;
    const char *build = getenv("KC_BUILD_DIR");
    const char *src = getenv("KC_SOURCE_DIR");
    char script[1024], cmd[2600];
    if (src)
        snprintf(script, sizeof script, "%s/video-analysis/tests/mk_fixtures.sh", src);
    else
        snprintf(script, sizeof script, "%s", KC_FIXTURE_SCRIPT);
    snprintf(g_dir, sizeof g_dir, "%s/video-fixtures", build ? build : KC_FIXTURE_BUILD_DIR);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s'", script, g_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "fixture generation failed: %s\n", cmd);
        g_dir[0] = '\0';
        return NULL;
    }
    return g_dir;
}

const char *kc_fixture(const char *name)
{
    static char path[1200];
    const char *d = kc_fixtures_dir();
    snprintf(path, sizeof path, "%s/%s", d ? d : "/nonexistent", name);
    return path;
}

const char *kc_fixture_tmpdir(void)
{
    static char dir[256];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/kc-vtest-XXXXXX", t ? t : "/tmp");
    return mkdtemp(dir);
}

int kc_fixture_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = size ? fwrite(data, 1, size, f) : 0;
    return (fclose(f) == 0 && n == size) ? 0 : -1;
}

void *kc_fixture_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) *size = (size_t)n;
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

float *kc_fixture_read_wav(const char *path, size_t *count, int *rate)
{
    size_t size;
    uint8_t *b = kc_fixture_read(path, &size);
    if (!b || size < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
        free(b);
        return NULL;
    }
    size_t pos = 12;
    int sr = 0, bits = 0, ch = 0;
    float *out = NULL;
    while (pos + 8 <= size && !out) {
        uint32_t len = le32(b + pos + 4);
        const uint8_t *body = b + pos + 8;
        if (len > size - pos - 8) len = (uint32_t)(size - pos - 8);
        if (!memcmp(b + pos, "fmt ", 4) && len >= 16) {
            ch = body[2] | body[3] << 8;
            sr = (int)le32(body + 4);
            bits = body[14] | body[15] << 8;
        } else if (!memcmp(b + pos, "data", 4) && bits == 16 && ch == 1) {
            *count = len / 2;
            out = malloc((*count ? *count : 1) * sizeof *out);
            for (size_t i = 0; out && i < *count; i++)
                out[i] = (int16_t)(body[2 * i] | body[2 * i + 1] << 8) / 32768.0f;
        }
        pos += 8 + len + (len & 1);
    }
    free(b);
    if (out) *rate = sr;
    return out;
}

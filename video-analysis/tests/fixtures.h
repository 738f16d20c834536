/*
 * fixtures.h — generated test media for the video-analysis media/speech tests.
 *
 * kc_fixtures_dir() runs tests/mk_fixtures.sh once per build tree (the script locks and stamps
 * its output directory, so parallel Criterion workers share one generation) and returns the
 * directory. Nothing binary is committed: ffmpeg, espeak-ng and sox synthesise every file.
 *
 * Not thread-safe (tests call it from their own process); returned strings are static.
 */
#ifndef KC_TEST_FIXTURES_H
#define KC_TEST_FIXTURES_H

#include <stddef.h>

/* Directory holding the fixtures, or NULL when generation failed (message on stderr). */
const char *kc_fixtures_dir(void);
/* Full path of fixture `name` in a static buffer (overwritten by the next call). */
const char *kc_fixture(const char *name);
/* A fresh temp directory for files a test writes itself (static buffer). */
const char *kc_fixture_tmpdir(void);
/* Write `size` bytes to `path`; 0 ok. */
int kc_fixture_write(const char *path, const void *data, size_t size);
/* Read a whole file (caller frees); NULL on error. */
void *kc_fixture_read(const char *path, size_t *size);
/* Read a 16-bit PCM mono WAV (any header size, data chunk located) into floats at its own
 * rate; caller frees. NULL on error. */
float *kc_fixture_read_wav(const char *path, size_t *count, int *rate);

#endif

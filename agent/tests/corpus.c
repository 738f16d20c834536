/*
 * corpus.c — test corpus file reading. See corpus.h.
 */
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>

char *corpus_read_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

char *corpus_read(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", KC_AGENT_TEST_CORPUS, name);
    char *buf = corpus_read_path(path, len);
    if (!buf) {
        fprintf(stderr, "corpus file missing: %s\n", path);
        abort();
    }
    return buf;
}

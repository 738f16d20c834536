/*
 * corpus.h — helpers shared by the agent text unit tests: read a corpus file, load the kit once.
 *
 * Files are read from KC_AGENT_TEST_CORPUS (agent/tests/corpus, set by text.cmake). The caller
 * frees returned buffers with free(). Not thread-safe (tests call it from one thread each).
 */
#ifndef KC_AGENT_TEST_CORPUS_H
#define KC_AGENT_TEST_CORPUS_H

#include <stddef.h>

/* Read corpus/<name> into a NUL-terminated malloc'd buffer; aborts the test when missing. */
char *corpus_read(const char *name, size_t *len);
/* Read any path. NULL when missing. */
char *corpus_read_path(const char *path, size_t *len);

#endif

/*
 * strbuf.h — a tiny growable string for composing reasons and question texts.
 *
 * Allocation failure is sticky: the buffer is marked failed, later appends do nothing, and
 * kc_sb_str returns "" so callers can check `failed` once at the end.
 * Ownership: the caller frees with kc_sb_free. Thread-safety: one buffer per thread.
 */
#ifndef KC_TEXT_STRBUF_H
#define KC_TEXT_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct kc_sb {
    char *p;
    size_t len, cap;
    bool failed;
};

void kc_sb_append(struct kc_sb *sb, const char *s, size_t n);
void kc_sb_puts(struct kc_sb *sb, const char *s);
void kc_sb_printf(struct kc_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *kc_sb_str(const struct kc_sb *sb);
void kc_sb_free(struct kc_sb *sb);

#endif

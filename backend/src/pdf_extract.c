/*
 * pdf_extract.c — text of a resume PDF with poppler-glib. Runs only inside the
 * kocruit-pdftext program (pdftext_main.c), never in the backend's own process: pdftext.c
 * starts that program per PDF with CPU and memory limits.
 *
 * poppler wants a file:// URI of an ABSOLUTE path (a relative one returns NULL and then
 * crashes; STACK-NOTES), so the path goes through realpath and g_filename_to_uri. Limits:
 * at most max_pages pages (a longer document is refused, not silently cut) and max_bytes
 * of text. A document poppler cannot open (corrupt, truncated, encrypted) and one with no
 * extractable text (a scan) are KC_E_UNPROCESSABLE with a message saying which.
 */
#include <limits.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_extract.h"

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (*len + n + 2 > max) n = max > *len + 2 ? max - *len - 2 : 0;
    if (*len + n + 2 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 65536);
        while (nc < *len + n + 2) nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb) return -1;
        *buf = nb, *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = '\0';
    return 0;
}

static char *extract(PopplerDocument *doc, int n, size_t max_bytes, struct kc_err *err)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < n && len + 2 < max_bytes; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (!page) continue;
        char *t = poppler_page_get_text(page);
        int rc = append(&buf, &len, &cap, t ? t : "", max_bytes);
        g_free(t);
        g_object_unref(page);
        if (rc) {
            free(buf);
            kc_err_set(err, KC_E_NOMEM, "out of memory extracting PDF text");
            return NULL;
        }
    }
    size_t nonspace = 0;
    for (size_t i = 0; buf && i < len; i++) nonspace += buf[i] > ' ';
    if (nonspace == 0) {
        free(buf);
        kc_err_set(err, KC_E_UNPROCESSABLE,
                   "file: the PDF has no extractable text (a scanned image?); upload a text PDF "
                   "or plain text");
        return NULL;
    }
    return buf;
}

char *kc_pdf_extract(const char *path, int max_pages, size_t max_bytes, int *pages,
                     struct kc_err *err)
{
    char abs[PATH_MAX];
    GError *gerr = NULL;
    *pages = 0;
    if (!realpath(path, abs)) {
        kc_err_set(err, KC_E_IO, "cannot resolve the uploaded file");
        return NULL;
    }
    char *uri = g_filename_to_uri(abs, NULL, &gerr);
    if (!uri) {
        kc_err_set(err, KC_E_INTERNAL, "file URI: %s", gerr ? gerr->message : "?");
        g_clear_error(&gerr);
        return NULL;
    }
    PopplerDocument *doc = poppler_document_new_from_file(uri, NULL, &gerr);
    g_free(uri);
    if (!doc) {
        kc_err_field(err, KC_E_UNPROCESSABLE, "file",
                     "file: the PDF cannot be read (corrupt, truncated or password-protected): %s",
                     gerr ? gerr->message : "unknown error");
        g_clear_error(&gerr);
        return NULL;
    }
    int n = poppler_document_get_n_pages(doc);
    char *text = NULL;
    if (n <= 0)
        kc_err_field(err, KC_E_UNPROCESSABLE, "file", "file: the PDF has no pages");
    else if (n > max_pages)
        kc_err_field(err, KC_E_UNPROCESSABLE, "file",
                     "file: the PDF has %d pages; at most %d are accepted", n, max_pages);
    else
        text = extract(doc, n, max_bytes, err);
    if (text) *pages = n;
    g_object_unref(doc);
    return text;
}

/*
 * mime.c — upload type detection from content (see mime.h). JSON is tried before text
 * because every JSON document is also text; a PDF is recognised by its header only, the
 * extractor (pdftext.c) then decides whether it is readable.
 */
#include "mime.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "validate.h"

static int is_text(const char *buf, size_t n)
{
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) buf += 3, n -= 3;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) return 0;
    }
    return kc_utf8_valid(buf, n);
}

const char *kc_mime_sniff(const char *buf, size_t n)
{
    if (!buf || n == 0) return NULL;
    if (n >= 5 && !memcmp(buf, "%PDF-", 5)) return KC_MIME_PDF;
    size_t i = 0;
    while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')) i++;
    if (i < n && buf[i] == '{') {
        json_t *j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, NULL);
        int obj = json_is_object(j);
        json_decref(j);
        if (obj) return KC_MIME_JSON;
    }
    return is_text(buf, n) ? KC_MIME_TEXT : NULL;
}

int kc_mime_named_pdf(const char *filename)
{
    size_t n = filename ? strlen(filename) : 0;
    return n >= 4 && !strcasecmp(filename + n - 4, ".pdf");
}

/*
 * mime.h — content type detection from the bytes of an upload, never from the client's
 * Content-Type or file name.
 *   application/pdf   the file starts with "%PDF-"
 *   application/json  the whole file parses as a JSON object (jansson, strict UTF-8)
 *   text/plain        the whole file is UTF-8 (BOM allowed) with no control characters
 *                     other than tab, newline, carriage return and form feed
 * Anything else is "unknown" (the caller answers 415). Pure and reentrant.
 */
#ifndef KC_BACKEND_MIME_H
#define KC_BACKEND_MIME_H

#include <stddef.h>

#define KC_MIME_PDF  "application/pdf"
#define KC_MIME_JSON "application/json"
#define KC_MIME_TEXT "text/plain"

/* The detected type of buf[0..n), or NULL when it is none of the accepted ones. */
const char *kc_mime_sniff(const char *buf, size_t n);
/* 1 when a client file name ends in ".pdf" (any case). */
int kc_mime_named_pdf(const char *filename);

#endif

/*
 * pdf_extract.h — poppler-glib text extraction, used by the kocruit-pdftext program (and the
 * PDF fuzz target), never linked into the backend itself (see pdftext.c).
 */
#ifndef KC_BACKEND_PDF_EXTRACT_H
#define KC_BACKEND_PDF_EXTRACT_H

#include <stddef.h>

#include "core/err.h"

/* Text of the PDF at path (at most max_pages pages, max_bytes bytes). malloc'd, caller
 * frees; NULL with err (KC_E_UNPROCESSABLE naming field "file" for unreadable, too long or
 * text-less PDFs). *pages gets the page count. */
char *kc_pdf_extract(const char *path, int max_pages, size_t max_bytes, int *pages,
                     struct kc_err *err);

#endif

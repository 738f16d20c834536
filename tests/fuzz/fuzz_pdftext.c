/*
 * fuzz_pdftext.c — libFuzzer target for PDF text extraction (backend/src/pdftext.c, poppler).
 *
 * Design: kc_pdf_extract takes a path (poppler reads the uploaded temp file), so each input is
 * written to one per-process temp file and extracted with the limits the upload path uses
 * (20 pages, 200 kB of text). Poppler itself is not instrumented for coverage (only pdftext.c
 * is), so the fuzzer mostly explores through mutations of the generated seed PDFs; ASan still
 * reports any memory error inside poppler because it intercepts malloc/free and memory ops.
 * Invariants: no crash; success returns NUL-terminated text of at most 200 kB with
 * 1..20 pages; failure sets KC_E_UNPROCESSABLE (or KC_E_IO) with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdf_extract.h"

#define KC_FUZZ_MAX_PAGES 20
#define KC_FUZZ_MAX_TEXT  200000

static char path[64];

static void check(int ok)
{
    if (!ok) abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/kc-fuzz-pdf-%ld.pdf", (long)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    int pages = -1;
    struct kc_err err = {0};
    char *text = kc_pdf_extract(path, KC_FUZZ_MAX_PAGES, KC_FUZZ_MAX_TEXT, &pages, &err);
    if (text) {
        check(strlen(text) <= KC_FUZZ_MAX_TEXT && pages >= 1 && pages <= KC_FUZZ_MAX_PAGES);
        free(text);
    } else {
        check(err.code != KC_OK && err.message[0] != '\0');
    }
    unlink(path);
    return 0;
}

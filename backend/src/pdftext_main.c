/*
 * pdftext_main.c — kocruit-pdftext PATH MAX_PAGES MAX_BYTES: the text of one PDF on stdout.
 *
 * The backend runs this program for each uploaded PDF (pdftext.c) so that poppler, glib and
 * cairo never live in the long-running service: a hostile PDF can at worst end this process,
 * and the service idles without those libraries mapped. Protocol on stdout:
 *   success: exit 0, "<pages>\n" then the text;
 *   failure: exit 1, "<kc_err code> <field or ->\n" then the message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_extract.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: kocruit-pdftext PATH MAX_PAGES MAX_BYTES\n");
        return 2;
    }
    int max_pages = atoi(argv[2]);
    size_t max_bytes = (size_t)strtoull(argv[3], NULL, 10);
    struct kc_err err = {0};
    int pages = 0;
    char *text = kc_pdf_extract(argv[1], max_pages, max_bytes, &pages, &err);
    if (!text) {
        printf("%d %s\n%s", (int)err.code, err.field[0] ? err.field : "-", err.message);
        return 1;
    }
    printf("%d\n", pages);
    fwrite(text, 1, strlen(text), stdout);
    free(text);
    return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * cli.c — `kocruit-video analyze` (cli.h).
 *
 * Arguments become an options document (JSON), validated by the same kc_analysis_opts_parse
 * the HTTP API uses, so the CLI cannot run anything the service would refuse. Output goes to
 * stdout (or --output, written to a temp file and renamed so a reader never sees half a
 * report); progress to a terminal bar on stderr and/or machine lines on --progress-fd.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "cli_summary.h"
#include "media.h"
#include "rubric.h"

struct cli {
    const char *file, *questions, *jurisdiction, *language, *rubric, *options, *id, *output;
    int json, emotion, no_asr, progress_fd, tty;
    double last_draw;
};

static int usage(const char *msg)
{
    if (msg) fprintf(stderr, "kocruit-video analyze: %s\n", msg);
    fprintf(stderr,
            "usage: kocruit-video analyze FILE [--json] [--questions FILE] [--emotion "
            "--jurisdiction CODE]\n"
            "                             [--language en|ko|auto] [--no-asr] [--rubric FILE]\n"
            "                             [--options FILE] [--id ID] [--output FILE] "
            "[--progress-fd N]\n");
    return 2;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
    c->progress_fd = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(NULL);
            return -1;
        }
        if (!strcmp(a, "--json"))
            c->json = 1;
        else if (!strcmp(a, "--emotion"))
            c->emotion = 1;
        else if (!strcmp(a, "--no-asr"))
            c->no_asr = 1;
        else if (!strcmp(a, "--questions"))
            slot = &c->questions;
        else if (!strcmp(a, "--jurisdiction"))
            slot = &c->jurisdiction;
        else if (!strcmp(a, "--language"))
            slot = &c->language;
        else if (!strcmp(a, "--rubric"))
            slot = &c->rubric;
        else if (!strcmp(a, "--options"))
            slot = &c->options;
        else if (!strcmp(a, "--id"))
            slot = &c->id;
        else if (!strcmp(a, "--output"))
            slot = &c->output;
        else if (!strcmp(a, "--progress-fd")) {
            char *end = NULL;
            if (i + 1 >= argc) return usage("--progress-fd needs a number");
            long fd = strtol(argv[++i], &end, 10);
            if (*end || fd < 3 || fd > 1024) return usage("--progress-fd needs a descriptor >= 3");
            c->progress_fd = (int)fd;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "kocruit-video analyze: unknown option %s\n", a);
            return usage(NULL);
        } else if (!c->file)
            c->file = a;
        else
            return usage("only one FILE may be given");
        if (slot) {
            if (i + 1 >= argc) return usage("an option is missing its value");
            *slot = argv[++i];
        }
    }
    if (!c->file) return usage("FILE is required");
    return 0;
}

static json_t *load_json(const char *path, const char *what)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        fprintf(stderr, "kocruit-video analyze: %s %s: line %d column %d: %s\n", what, path,
                je.line, je.column, je.text);
    return j;
}

/* The options document from the arguments (or --options FILE). NULL after a message. */
static json_t *options_doc(const struct cli *c)
{
    if (c->options) return load_json(c->options, "--options");
    json_t *o = json_pack("{s:s,s:{s:b,s:b,s:b},s:b}", "language", c->language ? c->language : "en",
                          "consent", "video_behaviour", 1, "speech", 1, "emotion", c->emotion,
                          "asr", !c->no_asr);
    if (c->emotion) {
        if (!c->jurisdiction) {
            fprintf(stderr, "kocruit-video analyze: --emotion needs --jurisdiction CODE "
                            "(emotion inference is refused for EU jurisdictions)\n");
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "emotion_policy",
                            json_pack("{s:b,s:s}", "enabled", 1, "jurisdiction", c->jurisdiction));
    }
    if (c->questions) {
        json_t *q = load_json(c->questions, "--questions");
        json_t *arr = json_is_object(q) ? json_object_get(q, "questions") : q;
        if (!q || !arr) {
            if (q) fprintf(stderr, "kocruit-video analyze: --questions: no \"questions\" array\n");
            json_decref(q);
            json_decref(o);
            return NULL;
        }
        json_object_set(o, "questions", arr);
        json_decref(q);
    }
    if (c->rubric) {
        struct kc_err err = {0};
        json_t *r = kc_rubric_load(c->rubric, &err);
        if (!r) {
            fprintf(stderr, "kocruit-video analyze: %s\n", err.message);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "rubric", r);
    }
    return o;
}

static void on_progress(void *ctx, double f, const char *stage)
{
    struct cli *c = ctx;
    if (c->progress_fd >= 0) {
        char line[96];
        int n = snprintf(line, sizeof line, "progress %.4f %s\n", f, stage);
        if (write(c->progress_fd, line, (size_t)n) < 0 && errno == EPIPE) c->progress_fd = -1;
    }
    if (c->tty && (f - c->last_draw >= 0.01 || f >= 1.0)) {
        c->last_draw = f;
        int w = 30, full = (int)lround(f * w);
        fprintf(stderr, "\r[%.*s%*s] %3d%% %-14s", full, "##############################", w - full,
                "", (int)lround(f * 100), stage);
        if (f >= 1.0) fputc('\n', stderr);
        fflush(stderr);
    }
}

/* Write text to path atomically (temp file + rename). */
static int write_atomic(const char *path, const char *text)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int emit_output(const struct cli *c, json_t *doc)
{
    char *text = json_dumps(doc, c->output ? JSON_COMPACT : JSON_INDENT(2));
    if (!text) return -1;
    int rc = 0;
    if (c->output)
        rc = write_atomic(c->output, text);
    else if (c->json)
        rc = puts(text) < 0 ? -1 : 0;
    else
        kc_cli_print_summary(stdout, doc);
    free(text);
    return rc;
}

static int fail(const struct cli *c, const struct kc_err *err, int status)
{
    fprintf(stderr, "kocruit-video analyze: %s\n", err->message);
    if (c->output) {
        json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", kc_err_code_name(err->code),
                              "message", err->message);
        if (e && err->field[0])
            json_object_set_new(json_object_get(e, "error"), "field", json_string(err->field));
        char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
        if (text) write_atomic(c->output, text);
        free(text);
        json_decref(e);
    }
    return status;
}

int kc_cli_analyze(int argc, char **argv)
{
    struct cli c = {0};
    int prc = parse_args(&c, argc, argv);
    if (prc) return prc < 0 ? 0 : 2;
    c.tty = isatty(STDERR_FILENO) && !c.output;
    json_t *doc = options_doc(&c);
    if (!doc) return 2;
    struct kc_err err = {0};
    struct kc_analysis_opts o;
    int rc = kc_analysis_opts_parse(doc, &o, &err);
    json_decref(doc);
    if (rc) return fail(&c, &err, 2);
    kc_media_quiet_logs();
    struct kc_analysis_hooks hooks = {on_progress, &c};
    json_t *report = kc_analysis_run(c.file, &o, c.id, &hooks, &err);
    kc_analysis_opts_free(&o);
    if (!report) return fail(&c, &err, 1);
    rc = emit_output(&c, report);
    json_decref(report);
    if (rc) {
        fprintf(stderr, "kocruit-video analyze: cannot write the report: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

/*
 * main.c — kocruit-video: the video-analysis service :8002, or with the first argument
 * `analyze` the analysis as a command-line tool (cli.h) that needs no Redis or database.
 *
 * Two binaries, so the long-running service stays small: kocruit-video links only lib/core
 * and the option parser; kocruit-video-analyze (analyze_main.c, beside it in the same folder)
 * links FFmpeg, the model runtimes and the pipelines. The service's workers run each analysis
 * as that program in a child process, and `kocruit-video analyze …` hands over to it, so both
 * spellings of the command work the same.
 *
 * Service: lib/core's skeleton (config, logging, Redis, the analyses database migrated from
 * video-analysis/migrations, /health, /metrics, graceful stop) plus the routes and job workers
 * of service.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/service.h"
#include "service.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "analyze")) {
        char analyzer[1100];
        if (kc_video_analyzer_path(analyzer, sizeof analyzer) != 0) {
            fprintf(stderr,
                    "kocruit-video: cannot find kocruit-video-analyze beside this program\n");
            return 2;
        }
        argv[1] = analyzer;
        execv(analyzer, argv + 1);
        fprintf(stderr, "kocruit-video: cannot run %s: %s\n", analyzer, strerror(errno));
        return 2;
    }
    if (argc >= 2) {
        fprintf(stderr, "usage: kocruit-video                  run the service (KOCRUIT_* "
                        "environment)\n"
                        "       kocruit-video analyze FILE …   analyse one recording "
                        "(kocruit-video analyze --help)\n");
        return 2;
    }
    struct kc_service svc;
    struct kc_err err = {0};
    const struct kc_service_options opt = {.name = "video-analysis",
                                           .migrations_dir = kc_video_migrations_dir()};
    if (kc_service_init(&svc, &opt, &err) != 0 || kc_video_service_start(&svc, &err) != 0) {
        fprintf(stderr, "kocruit-video: %s\n", err.message);
        return 1;
    }
    return kc_service_run(&svc);
}

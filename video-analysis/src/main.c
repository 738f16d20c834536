/*
 * main.c — kocruit-video: the video-analysis service :8002, or with the first argument
 * `analyze` the same pipeline as a command-line tool (cli.h) that needs no Redis or database.
 *
 * Service: lib/core's skeleton (config, logging, Redis, the analyses database migrated from
 * video-analysis/migrations, /health, /metrics, graceful stop) plus the routes and job workers
 * of service.h. The workers run each analysis as `kocruit-video analyze` in a child process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/service.h"
#include "service.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "analyze")) return kc_cli_analyze(argc - 1, argv + 1);
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

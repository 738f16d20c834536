/*
 * analyze_main.c — kocruit-video-analyze: one recording through the vision and speech
 * pipelines (cli.h). Run by the video service's workers in a child process, and by people
 * as `kocruit-video analyze FILE …` (which hands over to this program).
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return kc_cli_analyze(argc, argv);
}

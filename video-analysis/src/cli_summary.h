/*
 * cli_summary.h — the human-readable summary `kocruit-video analyze` prints without --json.
 *
 * It prints what the report (analysis.h) holds and nothing else: the media, which analyses ran
 * (and why the others did not), every metric with unit, sample count and status (the reason
 * when not ok), the transcript text, the emotion section, scoring and stage timings.
 * Thread-safety: writes only to `out`.
 */
#ifndef KC_CLI_SUMMARY_H
#define KC_CLI_SUMMARY_H

#include <stdio.h>
#include <jansson.h>

void kc_cli_print_summary(FILE *out, const json_t *report);

#endif

/*
 * cli.h — `kocruit-video analyze`: one analysis in-process, no Redis, no database.
 *
 *   kocruit-video analyze FILE [--json] [--questions FILE] [--emotion --jurisdiction CODE]
 *                              [--language en|ko|auto] [--no-asr] [--rubric FILE]
 *                              [--options FILE] [--id ID] [--output FILE] [--progress-fd N]
 *
 * Without --json it prints a human summary on stdout and, when stderr is a terminal, a
 * progress bar there. With --json it prints the report (analysis.h) — the same document the
 * service's GET /v1/analyses/{id} returns as "result".
 * The operator of the CLI analyses a recording they hold, so video behaviour and speech
 * consent default to given; --emotion turns the emotion policy on and records emotion consent
 * (it needs --jurisdiction, and an EU jurisdiction is refused). --options FILE gives the full
 * options document of the API instead (consent and policy exactly as the service stores them).
 *
 * Worker interface (service_job.c): --output FILE writes the report (or, on failure,
 * {"error":{"code","message"}}) to FILE atomically; --progress-fd N writes lines
 * "progress <fraction 0..1> <stage>\n" to descriptor N.
 * Exit status: 0 done, 1 the analysis failed (message on stderr), 2 usage or invalid options.
 */
#ifndef KC_CLI_H
#define KC_CLI_H

/* argv[0] is "analyze". Returns the process exit status. */
int kc_cli_analyze(int argc, char **argv);

#endif

-- 9001_video_analyses: the video-analysis service's store (KOCRUIT_DB, default
-- sqlite:./var/video-analysis.db). One row per analysis request.
-- The table is named video_analyses and the migrations are numbered from 9001 so that this
-- schema can also live in a database shared with the backend (which has its own `analyses`
-- table and numbers its migrations from 0001; schema_migrations is keyed by number).
--
-- status: queued -> running -> done | failed; a withdrawal of consent (DELETE while queued or
-- running) ends in cancelled, a deletion request after the end in deleted. cancelled and
-- deleted rows are tombstones: every derived or personal column (input hash and path,
-- options, consent, result, error, application and subject ids) is NULL; what remains says
-- only that an analysis with this id existed and when it was removed.
-- input_path is always chosen by the server (KOCRUIT_DATA_DIR/media/<sha256>), never derived
-- from a client-supplied name. completions counts stored results: the job handler is
-- idempotent, so a reclaimed job that already finished does not add a second one.
-- Times are ISO-8601 UTC text with milliseconds ("2026-11-26T10:15:00.123Z").
-- Scale-out: the same table in PostgreSQL (migrations/postgres/, not built yet) with TEXT ->
-- text, REAL -> double precision; callers use only $N placeholders and portable SQL.

CREATE TABLE video_analyses (
    id              TEXT    PRIMARY KEY,
    status          TEXT    NOT NULL CHECK (status IN
                        ('queued', 'running', 'done', 'failed', 'cancelled', 'deleted')),
    progress        REAL    NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    stage           TEXT,
    input_source    TEXT    CHECK (input_source IN ('upload', 'blob')),
    input_sha256    TEXT    CHECK (input_sha256 IS NULL OR length(input_sha256) = 64),
    input_path      TEXT,
    input_bytes     INTEGER,
    options_json    TEXT,
    consent_json    TEXT,
    result_json     TEXT,
    error           TEXT,
    application_id  TEXT,
    subject_id      TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    completions     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    deleted_at      TEXT
) STRICT;

CREATE INDEX video_analyses_subject ON video_analyses (subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX video_analyses_input ON video_analyses (input_sha256) WHERE input_sha256 IS NOT NULL;

-- 0003_pipeline: blobs, resumes, applications, stages, memos, panels, slots, evaluations,
-- notifications, analyses and the audit log.
-- Invariants kept by the handlers (not expressible as constraints):
--  * an application has one application_stages row per stage of its job, created at apply
--    time in the job's order (position); exactly the current stage is in_progress/on_hold
--    while the application is in progress;
--  * an evaluation exists only for a panel member (panels.status = 'accepted') of that job
--    and stage; the stage decision is a recruiter's, recorded with the aggregate it saw;
--  * audit_log is append-only: handlers only INSERT into it.

CREATE TABLE blobs (
    sha256     TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL CHECK (size > 0),
    mime       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE resumes (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blob_sha256   TEXT    REFERENCES blobs(sha256),
    source_kind   TEXT    NOT NULL CHECK (source_kind IN ('pdf', 'text', 'json')),
    filename      TEXT    NOT NULL DEFAULT '',
    text          TEXT    NOT NULL,
    pages         INTEGER,
    parsed_json   TEXT    NOT NULL,  -- what the parser produced (kept for audit)
    sections_json TEXT    NOT NULL,  -- the applicant-reviewed version
    reviewed      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX resumes_owner ON resumes(owner_id);

CREATE TABLE applications (
    id            INTEGER PRIMARY KEY,
    job_id        INTEGER NOT NULL REFERENCES job_posts(id) ON DELETE CASCADE,
    applicant_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resume_id     INTEGER NOT NULL REFERENCES resumes(id),
    current_stage TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'in_progress' CHECK (status IN
                    ('in_progress', 'passed', 'rejected', 'on_hold', 'withdrawn')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (job_id, applicant_id)
) STRICT;
CREATE INDEX applications_applicant ON applications(applicant_id);

CREATE TABLE application_stages (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    stage          TEXT    NOT NULL,
    position       INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN
                     ('pending', 'scheduled', 'in_progress', 'passed', 'failed', 'on_hold')),
    score          REAL,
    reason         TEXT,
    decided_by     INTEGER REFERENCES users(id),
    decided_at     INTEGER,
    entered_at     INTEGER,
    UNIQUE (application_id, stage)
) STRICT;

CREATE TABLE memos (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    author_id      INTEGER NOT NULL REFERENCES users(id),
    body           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX memos_application ON memos(application_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER,
    actor_id    INTEGER,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    reason      TEXT,
    detail_json TEXT    NOT NULL DEFAULT '{}',
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_target ON audit_log(target_type, target_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE panels (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES job_posts(id) ON DELETE CASCADE,
    stage       TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status      TEXT    NOT NULL DEFAULT 'invited' CHECK (status IN
                  ('invited', 'accepted', 'declined')),
    assigned_by INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    UNIQUE (job_id, stage, user_id)
) STRICT;
CREATE INDEX panels_user ON panels(user_id);

CREATE TABLE interview_slots (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    stage          TEXT    NOT NULL,
    starts_at      INTEGER NOT NULL,
    ends_at        INTEGER NOT NULL,
    location       TEXT    NOT NULL DEFAULT '',
    created_by     INTEGER NOT NULL REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX interview_slots_application ON interview_slots(application_id);

CREATE TABLE evaluations (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    stage          TEXT    NOT NULL,
    evaluator_id   INTEGER NOT NULL REFERENCES users(id),
    scores_json    TEXT    NOT NULL,  -- {"<criterion name>": 0..100}
    total          REAL    NOT NULL,  -- criteria-weighted mean of scores
    comment        TEXT    NOT NULL DEFAULT '',
    submitted_at   INTEGER NOT NULL,
    UNIQUE (application_id, stage, evaluator_id)
) STRICT;

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    data_json  TEXT    NOT NULL DEFAULT '{}',
    read_at    INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_user ON notifications(user_id, read_at);

CREATE TABLE analyses (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER REFERENCES applications(id) ON DELETE CASCADE,
    type           TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN
                     ('queued', 'running', 'done', 'failed', 'unavailable')),
    input_blob     TEXT    REFERENCES blobs(sha256),
    result_json    TEXT,
    error          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX analyses_application ON analyses(application_id);

-- 0002_jobs: job posts and their full-text index.
-- A job's status (scheduled | open | closed) is derived from opens_at/closes_at when it is
-- read and is never stored. stages_json is the ordered stage list this job uses,
-- [{"name":"document","pass_threshold":60}, ...] (names from document, written_test,
-- ai_interview, practical, executive, final; each at most once, in that canonical order);
-- criteria_json is [{"name","weight" 0..1,"keywords":[...]}]; questions_json is
-- [{"text","time_limit_s"}] for the AI interview.
-- job_posts_fts is an external-content FTS5 index over title, description, qualifications
-- with the trigram tokenizer: Korean has no spaces between a word and its particles
-- ("백엔드개발자를"), so substring matching finds 백엔드 where a word tokenizer would not.
-- Queries shorter than 3 characters cannot use trigrams and fall back to LIKE (handled by
-- the caller).

CREATE TABLE job_posts (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    department_id   INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    qualifications  TEXT    NOT NULL DEFAULT '',
    conditions      TEXT    NOT NULL DEFAULT '',
    location        TEXT    NOT NULL DEFAULT '',
    employment_type TEXT    NOT NULL CHECK (employment_type IN
                      ('full_time', 'part_time', 'contract', 'internship', 'temporary')),
    headcount       INTEGER NOT NULL CHECK (headcount >= 1),
    opens_at        INTEGER NOT NULL,
    closes_at       INTEGER NOT NULL,
    stages_json     TEXT    NOT NULL,
    criteria_json   TEXT    NOT NULL DEFAULT '[]',
    questions_json  TEXT    NOT NULL DEFAULT '[]',
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (closes_at > opens_at)
) STRICT;
CREATE INDEX job_posts_company ON job_posts(company_id);
CREATE INDEX job_posts_dates ON job_posts(opens_at, closes_at);

CREATE VIRTUAL TABLE job_posts_fts USING fts5(
    title, description, qualifications,
    content = 'job_posts', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER job_posts_ai AFTER INSERT ON job_posts BEGIN
    INSERT INTO job_posts_fts(rowid, title, description, qualifications)
    VALUES (new.id, new.title, new.description, new.qualifications);
END;
CREATE TRIGGER job_posts_ad AFTER DELETE ON job_posts BEGIN
    INSERT INTO job_posts_fts(job_posts_fts, rowid, title, description, qualifications)
    VALUES ('delete', old.id, old.title, old.description, old.qualifications);
END;
CREATE TRIGGER job_posts_au AFTER UPDATE ON job_posts BEGIN
    INSERT INTO job_posts_fts(job_posts_fts, rowid, title, description, qualifications)
    VALUES ('delete', old.id, old.title, old.description, old.qualifications);
    INSERT INTO job_posts_fts(rowid, title, description, qualifications)
    VALUES (new.id, new.title, new.description, new.qualifications);
END;

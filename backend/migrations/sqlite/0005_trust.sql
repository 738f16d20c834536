-- 0005_trust: the trust feature (issue 8) — company policy, consent ledger, deletion
-- requests and receipts, candidate-rights requests, transcript corrections, demographic
-- self-identification (read ONLY by trust_impact/trust_fairness), blind review,
-- accommodations, and the hash chain of the audit log.
-- Invariants:
--  * audit_log stays append-only (0003 triggers); kc_audit() fills prev_hash/hash:
--    hash = sha256(prev_hash || canonical entry), the first entry's prev_hash is 64 '0'.
--    Rows written before this migration have hash '' and precede the chain.
--  * a consent is current while withdrawn_at IS NULL; the latest row per (application,
--    type) wins. Grants and withdrawals are never deleted except by a deletion request.
--  * demographics is read by no reviewer screen, export or model: only trust_fairness.c.

ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- a member the company designates to read adverse-impact reports and the audit export
ALTER TABLE memberships ADD COLUMN compliance INTEGER NOT NULL DEFAULT 0 CHECK (compliance IN (0, 1));

CREATE TABLE trust_policies (
    company_id                 INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    show_suggestions           INTEGER NOT NULL DEFAULT 1 CHECK (show_suggestions IN (0, 1)),
    automated_rejection        INTEGER NOT NULL DEFAULT 0 CHECK (automated_rejection IN (0, 1)),
    emotion_inference          INTEGER NOT NULL DEFAULT 0 CHECK (emotion_inference IN (0, 1)),
    retention_recordings_days  INTEGER NOT NULL DEFAULT 180 CHECK (retention_recordings_days >= 1),
    retention_transcripts_days INTEGER NOT NULL DEFAULT 180 CHECK (retention_transcripts_days >= 1),
    retention_analyses_days    INTEGER NOT NULL DEFAULT 180 CHECK (retention_analyses_days >= 1),
    retention_resumes_days     INTEGER NOT NULL DEFAULT 365 CHECK (retention_resumes_days >= 1),
    demographic_categories_json TEXT NOT NULL DEFAULT '{}',
    updated_by                 INTEGER,
    updated_at                 INTEGER NOT NULL
) STRICT;

-- Versioned consent texts: what is recorded/analysed, who sees it, how long it is kept.
CREATE TABLE consent_texts (
    version       TEXT NOT NULL,
    analysis_type TEXT NOT NULL CHECK (analysis_type IN
                    ('video_behaviour', 'speech', 'answer_grading', 'emotion')),
    lang          TEXT NOT NULL CHECK (lang IN ('ko', 'en')),
    what          TEXT NOT NULL,
    who_sees      TEXT NOT NULL,
    kept          TEXT NOT NULL,
    PRIMARY KEY (version, analysis_type, lang)
) STRICT;

INSERT INTO consent_texts VALUES
('2026-11-v1','video_behaviour','en','Your interview video is recorded. Face presence, gaze direction, head pose, mouth geometry and posture are measured per frame. These are descriptive observations and are not scored.','Recruiters and interviewers of this job at this company; no one else.','Recordings and measurements are deleted after the company''s retention period (default 180 days) or within 30 days of your deletion request.'),
('2026-11-v1','video_behaviour','ko','면접 영상이 녹화됩니다. 얼굴 존재, 시선 방향, 머리 자세, 입 모양, 자세가 프레임마다 측정됩니다. 이는 서술적 관찰이며 점수에 반영되지 않습니다.','이 회사의 이 채용 공고 담당 채용자와 면접관만 볼 수 있습니다.','녹화와 측정값은 회사의 보관 기간(기본 180일)이 지나거나 삭제 요청 후 30일 이내에 삭제됩니다.'),
('2026-11-v1','speech','en','Your voice is recorded and transcribed by speech recognition. Speaking time, pauses, loudness, pitch and filler words are measured. You can read and correct your transcript.','Recruiters and interviewers of this job at this company; no one else.','Audio and transcripts are deleted after the company''s retention period (default 180 days) or within 30 days of your deletion request.'),
('2026-11-v1','speech','ko','음성이 녹음되고 음성 인식으로 전사됩니다. 발화 시간, 쉼, 음량, 음높이, 간투사가 측정됩니다. 전사문을 직접 확인하고 수정할 수 있습니다.','이 회사의 이 채용 공고 담당 채용자와 면접관만 볼 수 있습니다.','음성과 전사문은 회사의 보관 기간(기본 180일)이 지나거나 삭제 요청 후 30일 이내에 삭제됩니다.'),
('2026-11-v1','answer_grading','en','The transcript of each answer is compared with the expected points of the question. The result is a suggestion; people make every decision.','Recruiters and interviewers of this job at this company.','Grades are deleted after the company''s retention period (default 180 days) or within 30 days of your deletion request.'),
('2026-11-v1','answer_grading','ko','각 답변의 전사문을 질문의 기대 요점과 비교합니다. 결과는 참고 의견이며 모든 결정은 사람이 내립니다.','이 회사의 이 채용 공고 담당 채용자와 면접관.','평가 결과는 회사의 보관 기간(기본 180일)이 지나거나 삭제 요청 후 30일 이내에 삭제됩니다.'),
('2026-11-v1','emotion','en','A facial-expression model labels expressions in 7 classes. This is a descriptive observation with weak scientific support; it never feeds any score, grade or ranking.','Recruiters and interviewers of this job at this company.','Deleted after the company''s retention period (default 180 days) or within 30 days of your deletion request.'),
('2026-11-v1','emotion','ko','표정 모델이 표정을 7가지로 분류합니다. 과학적 근거가 약한 서술적 관찰이며 어떤 점수, 평가, 순위에도 반영되지 않습니다.','이 회사의 이 채용 공고 담당 채용자와 면접관.','회사의 보관 기간(기본 180일)이 지나거나 삭제 요청 후 30일 이내에 삭제됩니다.');

CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    analysis_type  TEXT    NOT NULL CHECK (analysis_type IN
                     ('video_behaviour', 'speech', 'answer_grading', 'emotion')),
    version        TEXT    NOT NULL,
    granted_at     INTEGER NOT NULL,
    withdrawn_at   INTEGER
) STRICT;
CREATE INDEX consents_application ON consents(application_id, analysis_type);

-- the non-AI alternative (human-reviewed interview) chosen by the applicant
CREATE TABLE ai_choices (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    ai_declined    INTEGER NOT NULL CHECK (ai_declined IN (0, 1)),
    chosen_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE job_trust (
    job_id          INTEGER PRIMARY KEY REFERENCES job_posts(id) ON DELETE CASCADE,
    blind_review    INTEGER NOT NULL DEFAULT 0 CHECK (blind_review IN (0, 1)),
    offers_non_ai   INTEGER NOT NULL DEFAULT 1 CHECK (offers_non_ai IN (0, 1)),
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE accommodations (
    application_id    INTEGER PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    extra_time_factor REAL    NOT NULL DEFAULT 1.0 CHECK (extra_time_factor >= 1.0 AND extra_time_factor <= 4.0),
    extra_retakes     INTEGER NOT NULL DEFAULT 0 CHECK (extra_retakes BETWEEN 0 AND 10),
    answer_mode       TEXT    NOT NULL DEFAULT 'video' CHECK (answer_mode IN ('video', 'audio', 'text')),
    updated_by        INTEGER,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE deletion_requests (
    id              INTEGER PRIMARY KEY,
    subject_user_id INTEGER NOT NULL,   -- kept after anonymisation: an id, not personal data
    requested_by    INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    deadline_at     INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    receipt_json    TEXT,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER
) STRICT;
CREATE INDEX deletion_requests_status ON deletion_requests(status, deadline_at);

-- explanation, human re-review and the applicant's own view (statement)
CREATE TABLE rights_requests (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL CHECK (kind IN ('explanation', 're_review', 'statement')),
    statement      TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    evidence_json  TEXT,
    response       TEXT,
    answered_by    INTEGER,
    deadline_at    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    answered_at    INTEGER
) STRICT;
CREATE INDEX rights_requests_application ON rights_requests(application_id);

CREATE TABLE transcript_corrections (
    id             INTEGER PRIMARY KEY,
    analysis_id    INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    segment        INTEGER NOT NULL CHECK (segment >= 0),
    corrected      TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX transcript_corrections_analysis ON transcript_corrections(analysis_id);

-- demographic self-identification: optional, per application, read only by trust_fairness.c
CREATE TABLE demographics (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    category       TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (application_id, category)
) STRICT;

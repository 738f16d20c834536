-- 0001_accounts: users, companies, departments, memberships, invitations, tokens, email outbox.
-- Times are integer epoch seconds (UTC) unless a column name ends in _date/_at_text.
-- users.role is what a person IS on the platform (applicant | staff | admin); what a staff
-- user may do inside a company is memberships.role (manager | recruiter | interviewer).
-- Nobody chooses staff or admin at sign-up: applicants sign up as applicants, a company
-- sign-up creates the company and its first manager, others join through an invitation,
-- and an admin exists only through the `kocruit-backend create-admin` command.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name                TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('applicant', 'staff', 'admin')),
    -- access tokens carry the version they were issued under (claim "ver"); a password
    -- change or logout-all increments it, so every older access token stops working at once
    token_version       INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
) STRICT;

CREATE TABLE companies (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    website      TEXT    NOT NULL DEFAULT '',
    jurisdiction TEXT    NOT NULL DEFAULT 'KR',
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (company_id, name)
) STRICT;

CREATE TABLE memberships (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id    INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    role          TEXT    NOT NULL CHECK (role IN ('manager', 'recruiter', 'interviewer')),
    department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, company_id)
) STRICT;
CREATE INDEX memberships_company ON memberships(company_id);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    email       TEXT    NOT NULL COLLATE NOCASE,
    role        TEXT    NOT NULL CHECK (role IN ('manager', 'recruiter', 'interviewer')),
    token_hash  TEXT    NOT NULL UNIQUE,  -- sha256 hex of the emailed token
    invited_by  INTEGER NOT NULL REFERENCES users(id),
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX invitations_company ON invitations(company_id);

-- Refresh tokens: only the sha256 of the token is stored. A token is used once: refreshing
-- marks it replaced and issues a successor in the same family; presenting a replaced or
-- revoked token again revokes the whole family (token theft detection).
CREATE TABLE refresh_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    family      TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    replaced_at INTEGER,
    revoked_at  INTEGER,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE email_outbox (
    id         INTEGER PRIMARY KEY,
    to_addr    TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
) STRICT;
CREATE INDEX email_outbox_status ON email_outbox(status);

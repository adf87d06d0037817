-- Plans, their priorities and actions, the people who lead them, Ofsted (or
-- board) recommendations, and the append-only history of status changes.
-- Times are UTC milliseconds since the epoch; due dates are ISO dates in the
-- plan's own calendar.

CREATE TABLE plans (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    time_zone        TEXT    NOT NULL DEFAULT 'Europe/London',
    year_start_month INTEGER NOT NULL DEFAULT 4 CHECK (year_start_month BETWEEN 1 AND 12),
    stale_days       INTEGER NOT NULL DEFAULT 30 CHECK (stale_days > 0),
    created_at_ms    INTEGER NOT NULL
);

CREATE TABLE priorities (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    number  INTEGER NOT NULL,
    title   TEXT    NOT NULL,
    UNIQUE (plan_id, number)
);

-- People are shared by all plans in a database: one Discord user, one person.
CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    discord_id TEXT UNIQUE
);

CREATE TABLE priority_leads (
    priority_id INTEGER NOT NULL REFERENCES priorities (id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (priority_id, person_id)
);

CREATE TABLE actions (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans (id),
    priority_id   INTEGER NOT NULL REFERENCES priorities (id),
    ref           TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    grp           TEXT,
    text          TEXT    NOT NULL,
    due           TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('not_started', 'green', 'amber', 'red', 'complete')),
    -- Evidence links, one per line.
    evidence      TEXT    NOT NULL DEFAULT '',
    -- The leads' names and the recommendation codes in the order the plan
    -- gives them, separated by char(31). action_leads and
    -- action_recommendations hold the same links for lookups; keeping the
    -- lists here too spares every listing a grouped subquery per row.
    leads         TEXT    NOT NULL DEFAULT '',
    recommendations TEXT  NOT NULL DEFAULT '',
    last_update_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    -- Pruned actions are kept, with their history, but no longer listed.
    removed_at_ms INTEGER,
    UNIQUE (plan_id, ref)
);
CREATE INDEX actions_open_by_due ON actions (plan_id, due) WHERE removed_at_ms IS NULL AND status <> 'complete';

CREATE TABLE action_leads (
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (action_id, person_id)
);
CREATE INDEX action_leads_by_person ON action_leads (person_id);

CREATE TABLE recommendations (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    code    TEXT    NOT NULL,
    text    TEXT,
    UNIQUE (plan_id, code)
);

CREATE TABLE action_recommendations (
    action_id         INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    PRIMARY KEY (action_id, recommendation_id)
);

CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions (id),
    at_ms       INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    actor_discord_id TEXT,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    note        TEXT,
    evidence    TEXT
);
CREATE INDEX status_changes_by_action ON status_changes (action_id, at_ms, id);

CREATE TRIGGER status_changes_no_update BEFORE UPDATE ON status_changes
BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
CREATE TRIGGER status_changes_no_delete BEFORE DELETE ON status_changes
BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;

-- An action with its priority, the shape every listing reads.
CREATE VIEW action_rows AS
SELECT a.id, a.plan_id, a.ref, a.position, p.number AS priority, p.title AS priority_title,
       a.grp, a.text, a.due, a.status, a.evidence, a.last_update_ms, a.created_at_ms, a.removed_at_ms,
       a.leads, a.recommendations
  FROM actions a JOIN priorities p ON p.id = a.priority_id;

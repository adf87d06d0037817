-- Outcomes, measures (KPIs) with their values over time, and the risk
-- register with its reviews over time. Values and reviews are append-only:
-- a correction is a new row, and a period's value is its latest row.

-- Which body made a recommendation: Ofsted, or a safeguarding board.
ALTER TABLE recommendations ADD COLUMN body TEXT NOT NULL DEFAULT 'Ofsted';

CREATE TABLE outcomes (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    code            TEXT    NOT NULL,
    statement       TEXT    NOT NULL,
    priority_number INTEGER,
    -- The refs of the actions that serve it, separated by char(31).
    actions         TEXT    NOT NULL DEFAULT '',
    position        INTEGER NOT NULL,
    removed_at_ms   INTEGER,
    UNIQUE (plan_id, code)
);

CREATE TABLE measures (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    code            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    unit            TEXT    NOT NULL CHECK (unit IN ('number', '%', 'days', '£')),
    outcome_code    TEXT,
    priority_number INTEGER,
    -- Owners' names and recommendation codes, separated by char(31);
    -- measure_owners holds the owners for lookups.
    owners          TEXT    NOT NULL DEFAULT '',
    recommendations TEXT    NOT NULL DEFAULT '',
    frequency       TEXT    NOT NULL CHECK (frequency IN ('monthly', 'quarterly')),
    baseline        REAL    NOT NULL,
    baseline_date   TEXT    NOT NULL,
    target          REAL    NOT NULL,
    target_date     TEXT    NOT NULL,
    better          TEXT    NOT NULL CHECK (better IN ('higher', 'lower')),
    tolerance       REAL    NOT NULL DEFAULT 0 CHECK (tolerance >= 0),
    position        INTEGER NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    removed_at_ms   INTEGER,
    UNIQUE (plan_id, code)
);

CREATE TABLE measure_owners (
    measure_id INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (measure_id, person_id)
);
CREATE INDEX measure_owners_by_person ON measure_owners (person_id);

CREATE TABLE measure_values (
    id               INTEGER PRIMARY KEY,
    measure_id       INTEGER NOT NULL REFERENCES measures (id),
    -- The first day of the month or quarter the value is for.
    period           TEXT    NOT NULL,
    value            REAL    NOT NULL,
    note             TEXT,
    actor            TEXT    NOT NULL,
    actor_discord_id TEXT,
    at_ms            INTEGER NOT NULL
);
CREATE INDEX measure_values_by_period ON measure_values (measure_id, period, id);

CREATE TABLE risks (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans (id),
    code          TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    cause         TEXT    NOT NULL DEFAULT '',
    consequence   TEXT    NOT NULL DEFAULT '',
    -- Owners' names and mitigating action refs, separated by char(31).
    owners        TEXT    NOT NULL DEFAULT '',
    mitigations   TEXT    NOT NULL DEFAULT '',
    next_review   TEXT,
    position      INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    removed_at_ms INTEGER,
    UNIQUE (plan_id, code)
);

CREATE TABLE risk_owners (
    risk_id   INTEGER NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (risk_id, person_id)
);
CREATE INDEX risk_owners_by_person ON risk_owners (person_id);

CREATE TABLE risk_reviews (
    id               INTEGER PRIMARY KEY,
    risk_id          INTEGER NOT NULL REFERENCES risks (id),
    likelihood       INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact           INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    note             TEXT,
    actor            TEXT    NOT NULL,
    actor_discord_id TEXT,
    at_ms            INTEGER NOT NULL
);
CREATE INDEX risk_reviews_by_risk ON risk_reviews (risk_id, id);

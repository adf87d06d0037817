-- Scheduled jobs and the outbox they fill. A job decides what to send and
-- records it here in the same transaction as the bookkeeping that stops it
-- deciding the same thing twice; a sender then delivers the outbox.

-- Each run of a job for a plan, keyed by the fire time it was for: a
-- restart never runs the same scheduled fire time twice.
CREATE TABLE job_runs (
    id        INTEGER PRIMARY KEY,
    job       TEXT    NOT NULL,
    plan_id   INTEGER NOT NULL REFERENCES plans (id),
    fire_ms   INTEGER NOT NULL,
    ran_at_ms INTEGER NOT NULL,
    -- 'ran', 'skipped' (too long ago: past the catch-up window) or 'manual'.
    outcome   TEXT    NOT NULL,
    queued    INTEGER NOT NULL DEFAULT 0,
    detail    TEXT
);
-- A manual run (`planbot jobs run --as-of`) may share a fire time with the
-- scheduled run, and neither stops the other.
CREATE UNIQUE INDEX job_runs_once ON job_runs (job, plan_id, fire_ms) WHERE outcome <> 'manual';

-- Messages to deliver. `key` names what the message is about (job, plan,
-- lead or action, period) so the same message is never queued twice;
-- `body` is the notice as JSON, rendered for Discord when it is sent.
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL UNIQUE,
    plan_id        INTEGER NOT NULL REFERENCES plans (id),
    job            TEXT    NOT NULL,
    -- A direct message to this person, or a post in channel_id.
    person_id      INTEGER REFERENCES people (id),
    channel_id     TEXT,
    body           TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    -- Not before the next working time.
    not_before_ms  INTEGER NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'sent', 'failed', 'expired')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_try_ms    INTEGER NOT NULL,
    last_error     TEXT,
    sent_at_ms     INTEGER,
    message_id     TEXT,
    -- 'dm', or why it went to the channel instead ('dm closed', 'not linked').
    delivered_as   TEXT
);
-- The sender walks pending messages in the order they were queued.
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';

-- When each lead was last chased about each action: the chase interval.
CREATE TABLE chases (
    action_id INTEGER NOT NULL REFERENCES actions (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (action_id, person_id)
) WITHOUT ROWID;

-- Snoozes, kept as asked: an action is snoozed while any until_ms is ahead.
CREATE TABLE snoozes (
    id        INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id),
    by_name   TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    until_ms  INTEGER NOT NULL
);
CREATE INDEX snoozes_by_action ON snoozes (action_id, until_ms);

-- Escalations raised, once per action and due date.
CREATE TABLE escalations (
    action_id INTEGER NOT NULL REFERENCES actions (id),
    due       TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (action_id, due)
) WITHOUT ROWID;

-- A lead's DM channel, once Discord has opened it: one request per DM after.
ALTER TABLE people ADD COLUMN dm_channel_id TEXT;

-- The one scheduler allowed to run jobs and send: whoever holds an
-- unexpired lease.
CREATE TABLE scheduler_lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT    NOT NULL,
    expires_ms  INTEGER NOT NULL
);

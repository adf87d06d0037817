-- Digests as they were made: a re-run for the same quarter can say what has
-- changed since. `statuses` is a JSON object of ref -> status at the time.
CREATE TABLE digests (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans (id),
    quarter       TEXT    NOT NULL,
    as_of_ms      INTEGER NOT NULL,
    made_at_ms    INTEGER NOT NULL,
    statuses      TEXT    NOT NULL
);
CREATE INDEX digests_by_quarter ON digests (plan_id, quarter, made_at_ms);

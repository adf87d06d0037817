-- Each outcome's actions, one row per ref, beside the outcome's own list
-- (outcomes.actions, char(31)-separated, which keeps the order the sheet
-- gave). `/plan summary` looks the actions up through this table instead of
-- splitting every outcome's list on every read, which cost it more than all
-- the rest of its read. Written with the outcome (store::register), and
-- here from the lists already kept.
CREATE TABLE outcome_actions (
    outcome_id INTEGER NOT NULL REFERENCES outcomes (id),
    ref        TEXT    NOT NULL,
    PRIMARY KEY (outcome_id, ref)
) WITHOUT ROWID;

INSERT OR IGNORE INTO outcome_actions (outcome_id, ref)
WITH RECURSIVE named (outcome_id, ref, rest) AS (
    SELECT id, '', actions || char(31) FROM outcomes
    UNION ALL
    SELECT outcome_id, substr(rest, 1, instr(rest, char(31)) - 1), substr(rest, instr(rest, char(31)) + 1)
      FROM named WHERE rest <> ''
)
SELECT outcome_id, ref FROM named WHERE ref <> '';

-- How many current actions each outcome names, by status and due date:
-- `/plan summary` reads each outcome's counts from here instead of looking
-- up every action the outcomes name (200 lookups for ten outcomes of
-- twenty actions), which was most of its work. The triggers below keep it
-- right whoever writes the actions or the outcomes' lists, inside the same
-- transaction, as action_counts is kept. A group that empties keeps a row
-- with n = 0; readers skip those. '' stands for no due date. An outcome
-- names an action of its own plan by its ref, the action counted once.
CREATE TABLE outcome_action_counts (
    outcome_id INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    due        TEXT    NOT NULL,
    n          INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (outcome_id, status, due)
) WITHOUT ROWID;

-- The outcomes that name an action, found from the action's side.
CREATE INDEX outcome_actions_by_ref ON outcome_actions (ref, outcome_id);

INSERT INTO outcome_action_counts (outcome_id, status, due, n)
SELECT oa.outcome_id, a.status, coalesce(a.due, ''), count(*)
  FROM outcome_actions oa
  JOIN outcomes o ON o.id = oa.outcome_id
  JOIN actions a ON a.plan_id = o.plan_id AND a.ref = oa.ref
 WHERE a.removed_at_ms IS NULL
 GROUP BY 1, 2, 3;

CREATE TRIGGER outcome_action_counts_on_insert AFTER INSERT ON actions
WHEN NEW.removed_at_ms IS NULL
BEGIN
    INSERT INTO outcome_action_counts (outcome_id, status, due, n)
    SELECT oa.outcome_id, NEW.status, coalesce(NEW.due, ''), 1
      FROM outcome_actions oa JOIN outcomes o ON o.id = oa.outcome_id
     WHERE oa.ref = NEW.ref AND o.plan_id = NEW.plan_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outcome_action_counts_on_delete AFTER DELETE ON actions
WHEN OLD.removed_at_ms IS NULL
BEGIN
    UPDATE outcome_action_counts SET n = n - 1
     WHERE status = OLD.status AND due = coalesce(OLD.due, '')
       AND outcome_id IN (SELECT oa.outcome_id
                            FROM outcome_actions oa JOIN outcomes o ON o.id = oa.outcome_id
                           WHERE oa.ref = OLD.ref AND o.plan_id = OLD.plan_id);
END;

CREATE TRIGGER outcome_action_counts_on_update AFTER UPDATE OF plan_id, ref, status, due, removed_at_ms ON actions
WHEN OLD.plan_id IS NOT NEW.plan_id OR OLD.ref IS NOT NEW.ref
  OR OLD.status IS NOT NEW.status OR OLD.due IS NOT NEW.due
  OR (OLD.removed_at_ms IS NULL) <> (NEW.removed_at_ms IS NULL)
BEGIN
    UPDATE outcome_action_counts SET n = n - 1
     WHERE OLD.removed_at_ms IS NULL
       AND status = OLD.status AND due = coalesce(OLD.due, '')
       AND outcome_id IN (SELECT oa.outcome_id
                            FROM outcome_actions oa JOIN outcomes o ON o.id = oa.outcome_id
                           WHERE oa.ref = OLD.ref AND o.plan_id = OLD.plan_id);
    INSERT INTO outcome_action_counts (outcome_id, status, due, n)
    SELECT oa.outcome_id, NEW.status, coalesce(NEW.due, ''), 1
      FROM outcome_actions oa JOIN outcomes o ON o.id = oa.outcome_id
     WHERE NEW.removed_at_ms IS NULL AND oa.ref = NEW.ref AND o.plan_id = NEW.plan_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outcome_action_counts_on_link AFTER INSERT ON outcome_actions
BEGIN
    INSERT INTO outcome_action_counts (outcome_id, status, due, n)
    SELECT NEW.outcome_id, a.status, coalesce(a.due, ''), 1
      FROM outcomes o JOIN actions a ON a.plan_id = o.plan_id AND a.ref = NEW.ref
     WHERE o.id = NEW.outcome_id AND a.removed_at_ms IS NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outcome_action_counts_on_unlink AFTER DELETE ON outcome_actions
BEGIN
    UPDATE outcome_action_counts SET n = n - 1
     WHERE outcome_id = OLD.outcome_id
       AND (status, due) IN (SELECT a.status, coalesce(a.due, '')
                               FROM outcomes o JOIN actions a ON a.plan_id = o.plan_id AND a.ref = OLD.ref
                              WHERE o.id = OLD.outcome_id AND a.removed_at_ms IS NULL);
END;

CREATE TRIGGER outcome_action_counts_on_relink AFTER UPDATE OF outcome_id, ref ON outcome_actions
BEGIN
    UPDATE outcome_action_counts SET n = n - 1
     WHERE outcome_id = OLD.outcome_id
       AND (status, due) IN (SELECT a.status, coalesce(a.due, '')
                               FROM outcomes o JOIN actions a ON a.plan_id = o.plan_id AND a.ref = OLD.ref
                              WHERE o.id = OLD.outcome_id AND a.removed_at_ms IS NULL);
    INSERT INTO outcome_action_counts (outcome_id, status, due, n)
    SELECT NEW.outcome_id, a.status, coalesce(a.due, ''), 1
      FROM outcomes o JOIN actions a ON a.plan_id = o.plan_id AND a.ref = NEW.ref
     WHERE o.id = NEW.outcome_id AND a.removed_at_ms IS NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

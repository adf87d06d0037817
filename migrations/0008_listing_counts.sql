-- What chat listings read so that they cost the same for a plan of ten
-- thousand actions as for a small one: counts kept as actions change, and
-- indexes in plan order (a listing's page walks the priorities in number
-- order and each priority's actions by position, stopping once the page is
-- full, instead of sorting the whole plan).

-- How many current actions each (priority, status, due date) holds: the RAG
-- table of `/plan summary`, the totals of `/actions` and `/overdue`, and the
-- days the overdue list spans are read from here. The triggers below keep it
-- right whoever writes the actions (the bot, the CLI, an import, another
-- process), inside the same transaction. A group that empties keeps a row
-- with n = 0; readers skip those. '' stands for no due date.
CREATE TABLE action_counts (
    plan_id     INTEGER NOT NULL,
    priority_id INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    due         TEXT    NOT NULL,
    n           INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (plan_id, priority_id, status, due)
) WITHOUT ROWID;

INSERT INTO action_counts (plan_id, priority_id, status, due, n)
SELECT plan_id, priority_id, status, coalesce(due, ''), count(*)
  FROM actions WHERE removed_at_ms IS NULL
 GROUP BY 1, 2, 3, 4;

CREATE TRIGGER action_counts_on_insert AFTER INSERT ON actions
WHEN NEW.removed_at_ms IS NULL
BEGIN
    INSERT INTO action_counts (plan_id, priority_id, status, due, n)
    VALUES (NEW.plan_id, NEW.priority_id, NEW.status, coalesce(NEW.due, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER action_counts_on_delete AFTER DELETE ON actions
WHEN OLD.removed_at_ms IS NULL
BEGIN
    UPDATE action_counts SET n = n - 1
     WHERE plan_id = OLD.plan_id AND priority_id = OLD.priority_id
       AND status = OLD.status AND due = coalesce(OLD.due, '');
END;

-- Only when what is counted changed: an import rewrites every row it reads,
-- most of them unchanged.
CREATE TRIGGER action_counts_on_update AFTER UPDATE OF plan_id, priority_id, status, due, removed_at_ms ON actions
WHEN OLD.plan_id IS NOT NEW.plan_id OR OLD.priority_id IS NOT NEW.priority_id
  OR OLD.status IS NOT NEW.status OR OLD.due IS NOT NEW.due
  OR (OLD.removed_at_ms IS NULL) <> (NEW.removed_at_ms IS NULL)
BEGIN
    UPDATE action_counts SET n = n - 1
     WHERE OLD.removed_at_ms IS NULL
       AND plan_id = OLD.plan_id AND priority_id = OLD.priority_id
       AND status = OLD.status AND due = coalesce(OLD.due, '');
    INSERT INTO action_counts (plan_id, priority_id, status, due, n)
    SELECT NEW.plan_id, NEW.priority_id, NEW.status, coalesce(NEW.due, ''), 1
     WHERE NEW.removed_at_ms IS NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Counting is done by action_counts now.
DROP INDEX actions_listed;

-- Plan order within a priority: `/actions` and autocomplete pages.
CREATE INDEX actions_in_plan_order ON actions (priority_id, position) WHERE removed_at_ms IS NULL;

-- Open actions by priority, due day and position: one day of the overdue
-- list in plan order.
CREATE INDEX actions_open_by_priority_due ON actions (priority_id, due, position)
 WHERE removed_at_ms IS NULL AND status <> 'complete';

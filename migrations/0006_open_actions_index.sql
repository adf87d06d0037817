-- The index on open actions by due date also holds what the overdue list
-- and the chaser read of each, so that they read the index alone: with
-- half of a 100,000-action plan overdue, looking up each table row took
-- longer than all the rest of the read. The id follows the due date, so
-- the index keeps giving the chaser its order (longest overdue, then the
-- order the actions were made in). A status update rewrote the entry before
-- too (the index covers open actions only, and the update changes the
-- status); the other columns change only with an import.
DROP INDEX actions_open_by_due;
CREATE INDEX actions_open_by_due
    ON actions (plan_id, due, id, priority_id, position, status, ref, text, leads, last_update_ms)
 WHERE removed_at_ms IS NULL AND status <> 'complete';

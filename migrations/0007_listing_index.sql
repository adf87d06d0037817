-- What a chat listing counts and groups by (priority, status, due), on
-- current actions: the count of `/actions` and the RAG table of
-- `/plan summary` read this index alone, not every row of a large plan.
CREATE INDEX actions_listed ON actions (plan_id, priority_id, status, due) WHERE removed_at_ms IS NULL;

-- A plan's row never changes once made: its name, time zone, year and stale
-- days are set when it is first imported, and a plan is never deleted (its
-- history would go with it). The bot keeps each plan it has read instead of
-- reading it again for every command (Store::find_plan), which is right only
-- while this holds, whoever writes to the file: so the database refuses.
-- The bank holiday division may still change (`planbot holidays --division`).
CREATE TRIGGER plans_fixed BEFORE UPDATE OF id, name, time_zone, year_start_month, stale_days, created_at_ms ON plans
BEGIN
    SELECT RAISE(ABORT, 'a plan''s name and settings are fixed once it is made');
END;

CREATE TRIGGER plans_kept BEFORE DELETE ON plans
BEGIN
    SELECT RAISE(ABORT, 'a plan is never deleted');
END;

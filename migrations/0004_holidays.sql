-- Bank holidays as published by gov.uk (https://www.gov.uk/bank-holidays.json),
-- imported with `planbot holidays import`, so the list never runs out with
-- the binary. Kept per division: Scotland and Northern Ireland differ.
CREATE TABLE bank_holidays (
    division       TEXT    NOT NULL
                   CHECK (division IN ('england-and-wales', 'scotland', 'northern-ireland')),
    day            TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    imported_at_ms INTEGER NOT NULL,
    PRIMARY KEY (division, day)
) WITHOUT ROWID;

-- Whose bank holidays a plan's reminders keep.
ALTER TABLE plans ADD COLUMN holiday_division TEXT NOT NULL DEFAULT 'england-and-wales';

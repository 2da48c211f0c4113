-- 0006: several bot processes (issue 16). Before posting a schedule's week a process
-- claims it with one conditional UPDATE (only one process's UPDATE matches the row); the
-- claim names the week, the process and when it lapses (Unix seconds), after which
-- another process may take it over (the claimer crashed before posting).
ALTER TABLE schedules ADD COLUMN claim_week text;
ALTER TABLE schedules ADD COLUMN claim_owner text NOT NULL DEFAULT '';
ALTER TABLE schedules ADD COLUMN claim_expires double precision NOT NULL DEFAULT 0;

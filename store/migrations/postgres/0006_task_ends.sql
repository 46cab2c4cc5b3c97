-- A task run's end is recorded as well as its start (attempts), so the
-- starts that never ended (the worker died inside the task: out of memory,
-- a crash in a library, SIGKILL) can be counted, and a task that keeps
-- killing its worker is given up on instead of run again forever. Runs
-- from before this migration count as ended: their history is unknown.
ALTER TABLE renderings ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;
UPDATE renderings SET ended = attempts;
ALTER TABLE deliveries ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET ended = attempts;

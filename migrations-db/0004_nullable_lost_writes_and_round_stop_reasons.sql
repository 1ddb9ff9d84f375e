-- 0004: what was not measured is stored as NULL, never as 0, and each pre-copy round says why iteration stopped.
-- migrations.lost_writes becomes nullable (NULL = not verified, e.g. the estimate model moves no pages), which
-- needs a table rebuild: SQLite cannot drop a NOT NULL constraint in place. migration_rounds gains stop_reason
-- (the stop rule that fired, on the last pre-copy round; NULL on the others). migrations gains engine_id, the
-- engine's own id for the migration within its run (`mig-000006`, what the Migrations view shows); NULL on rows
-- recorded before it (History then shows the row id). No index: nothing looks a migration up by it.
--
-- Order matters: the runner's connection has foreign keys on (PRAGMA foreign_keys cannot change inside the
-- runner's transaction), so DROP TABLE migrations would cascade-delete every round, and renaming it away would
-- carry the rounds' REFERENCES along. So the rounds are set aside in a plain table first, both old tables are
-- dropped (child first: nothing cascades), the new migrations table takes the name, and the rounds are copied
-- back into a rebuilt migration_rounds. Row hashes and rounds hashes are copied as they are: row-seal.ts encodes
-- a NULL lost_writes as JSON null (0 stays 0) and appends a stop reason or an engine id only when one is present,
-- so every row sealed under schema 3 still verifies.

CREATE TABLE migrations_schema4 (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  vm_id          TEXT    NOT NULL,
  source_host_id TEXT    NOT NULL,
  target_host_id TEXT    NOT NULL,
  strategy       TEXT    NOT NULL,
  trigger_kind   TEXT    NOT NULL CHECK (trigger_kind IN ('user', 'policy', 'evacuation', 'ha')),
  reason         TEXT    NOT NULL DEFAULT '',
  outcome        TEXT    NOT NULL CHECK (outcome IN ('completed', 'aborted', 'failed', 'paused')),
  abort_reason   TEXT,
  start_us       INTEGER NOT NULL CHECK (start_us >= 0),
  end_us         INTEGER NOT NULL,
  total_us       INTEGER NOT NULL GENERATED ALWAYS AS (end_us - start_us) STORED,
  downtime_us    INTEGER NOT NULL CHECK (downtime_us >= 0),
  bytes_sent     INTEGER NOT NULL CHECK (bytes_sent >= 0),
  -- NULL: not verified (the model did not check the destination's memory).
  lost_writes    INTEGER CHECK (lost_writes IS NULL OR lost_writes >= 0),
  rounds_count   INTEGER NOT NULL CHECK (rounds_count >= 0),
  -- The engine's migration id within the run; NULL on rows recorded before schema 4.
  engine_id      TEXT CHECK (engine_id IS NULL OR length(engine_id) BETWEEN 1 AND 64),
  row_hash       TEXT,
  rounds_hash    TEXT,
  CHECK (end_us >= start_us),
  CHECK (source_host_id <> target_host_id)
) STRICT;

INSERT INTO migrations_schema4 (id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason, outcome, abort_reason,
  start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, engine_id, row_hash, rounds_hash)
SELECT id, run_id, vm_id, source_host_id, target_host_id, strategy, trigger_kind, reason, outcome, abort_reason,
  start_us, end_us, downtime_us, bytes_sent, lost_writes, rounds_count, NULL, row_hash, rounds_hash
FROM migrations;

CREATE TABLE rounds_schema3 AS SELECT * FROM migration_rounds;
DROP TABLE migration_rounds;
DROP TABLE migrations;
ALTER TABLE migrations_schema4 RENAME TO migrations;

CREATE TABLE migration_rounds (
  migration_id INTEGER NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
  round_index  INTEGER NOT NULL CHECK (round_index >= 0),
  start_us     INTEGER NOT NULL CHECK (start_us >= 0),
  duration_us  INTEGER NOT NULL CHECK (duration_us >= 0),
  pages_sent   INTEGER NOT NULL CHECK (pages_sent >= 0),
  pages_skipped INTEGER NOT NULL CHECK (pages_skipped >= 0),
  zero_pages_sent INTEGER NOT NULL CHECK (zero_pages_sent >= 0),
  bytes_sent   INTEGER NOT NULL CHECK (bytes_sent >= 0),
  rate_mbit_per_s REAL NOT NULL CHECK (rate_mbit_per_s >= 0),
  pages_dirtied INTEGER NOT NULL CHECK (pages_dirtied >= 0),
  -- Why pre-copy iteration stopped (the rule that fired), on the last pre-copy round; NULL on the others.
  stop_reason  TEXT,
  PRIMARY KEY (migration_id, round_index)
) STRICT, WITHOUT ROWID;

INSERT INTO migration_rounds (migration_id, round_index, start_us, duration_us, pages_sent, pages_skipped, zero_pages_sent, bytes_sent,
  rate_mbit_per_s, pages_dirtied, stop_reason)
SELECT migration_id, round_index, start_us, duration_us, pages_sent, pages_skipped, zero_pages_sent, bytes_sent,
  rate_mbit_per_s, pages_dirtied, NULL
FROM rounds_schema3;

DROP TABLE rounds_schema3;

-- The indexes went with the old table. Recreated as in 0001/0002 except the two (outcome, downtime) and
-- (outcome, total) indexes: every index costs each insert a B-tree update, and those two served only one
-- outcome sorted by downtime or total time. That page now walks the downtime (or total) index, which carries
-- the outcome, so non-matching entries are skipped inside the index without reading their rows (list-query.ts
-- keeps the planner on it): a page costs its rows divided by the outcome's share, still without a sort. The
-- id is named in those two indexes so they stay ordered by (value, id), the keyset order of a page.
CREATE INDEX migrations_run      ON migrations (run_id, start_us);
CREATE INDEX migrations_start    ON migrations (start_us);
CREATE INDEX migrations_downtime ON migrations (downtime_us, id, outcome);
CREATE INDEX migrations_total    ON migrations (total_us, id, outcome);
CREATE INDEX migrations_vm       ON migrations (vm_id, start_us);
CREATE INDEX migrations_source   ON migrations (source_host_id, start_us);
CREATE INDEX migrations_target   ON migrations (target_host_id, start_us);
CREATE INDEX migrations_outcome  ON migrations (outcome, start_us);

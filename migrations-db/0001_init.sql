-- 0001_init: the history store's tables. Times ending in _us are virtual microseconds of a run's clock;
-- times ending in _ms are wall-clock milliseconds since the Unix epoch. The audit log is append-only.

CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  scenario       TEXT    NOT NULL,
  scenario_json  TEXT    CHECK (scenario_json IS NULL OR json_valid(scenario_json)),
  seed           INTEGER NOT NULL,
  policy         TEXT    NOT NULL,
  app_version    TEXT    NOT NULL,
  engine_version TEXT    NOT NULL,
  started_at_ms  INTEGER NOT NULL,
  finished_at_ms INTEGER,
  end_us         INTEGER CHECK (end_us IS NULL OR end_us >= 0),
  trace_hash     TEXT
) STRICT;

CREATE INDEX runs_started_at ON runs (started_at_ms);

CREATE TABLE migrations (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  vm_id          TEXT    NOT NULL,
  source_host_id TEXT    NOT NULL,
  target_host_id TEXT    NOT NULL,
  strategy       TEXT    NOT NULL,
  trigger_kind   TEXT    NOT NULL CHECK (trigger_kind IN ('user', 'policy', 'evacuation', 'ha')),
  reason         TEXT    NOT NULL DEFAULT '',
  outcome        TEXT    NOT NULL CHECK (outcome IN ('completed', 'aborted', 'failed')),
  abort_reason   TEXT,
  start_us       INTEGER NOT NULL CHECK (start_us >= 0),
  end_us         INTEGER NOT NULL,
  total_us       INTEGER NOT NULL GENERATED ALWAYS AS (end_us - start_us) STORED,
  downtime_us    INTEGER NOT NULL CHECK (downtime_us >= 0),
  bytes_sent     INTEGER NOT NULL CHECK (bytes_sent >= 0),
  lost_writes    INTEGER NOT NULL CHECK (lost_writes >= 0),
  rounds_count   INTEGER NOT NULL CHECK (rounds_count >= 0),
  CHECK (end_us >= start_us),
  CHECK (source_host_id <> target_host_id)
) STRICT;

-- Foreign-key index: run pruning cascades through it.
CREATE INDEX migrations_run ON migrations (run_id, start_us);

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
  PRIMARY KEY (migration_id, round_index)
) STRICT, WITHOUT ROWID;

CREATE TABLE policy_decisions (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  at_us         INTEGER NOT NULL CHECK (at_us >= 0),
  policy        TEXT    NOT NULL,
  inputs_json   TEXT    NOT NULL CHECK (json_valid(inputs_json)),
  chosen_json   TEXT    NOT NULL CHECK (json_valid(chosen_json)),
  rejected_json TEXT    NOT NULL CHECK (json_valid(rejected_json))
) STRICT;

CREATE INDEX policy_decisions_run ON policy_decisions (run_id, at_us);

CREATE TABLE faults (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  at_us       INTEGER NOT NULL CHECK (at_us >= 0),
  kind        TEXT    NOT NULL,
  target_id   TEXT    NOT NULL,
  detail_json TEXT    NOT NULL CHECK (json_valid(detail_json))
) STRICT;

CREATE INDEX faults_run ON faults (run_id, at_us);

-- The audit chain: hash = SHA-256(prev_hash || canonical row content). run_id has no foreign key on
-- purpose: audit entries outlive the runs they mention, and nothing may cascade into this table.
CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
  run_id       INTEGER,
  at_us        INTEGER CHECK (at_us IS NULL OR at_us >= 0),
  wall_at_ms   INTEGER NOT NULL,
  actor        TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  payload_json TEXT    NOT NULL CHECK (json_valid(payload_json)),
  prev_hash    TEXT    NOT NULL,
  hash         TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

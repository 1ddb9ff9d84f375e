-- 0002: the audit chain's head and prune checkpoints, and the indexes behind every History filter and sort.
-- The head row makes deleting the newest audit entries detectable; a checkpoint carries the hash of the
-- last pruned entry so the remaining chain still verifies. Indexes end implicitly in id (the rowid),
-- which is the keyset tiebreaker.

CREATE TABLE audit_head (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq  INTEGER NOT NULL CHECK (last_seq >= 0),
  last_hash TEXT    NOT NULL
) STRICT;

INSERT INTO audit_head (id, last_seq, last_hash)
SELECT 1,
       COALESCE((SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), 0),
       COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoints (
  id              INTEGER PRIMARY KEY,
  through_seq     INTEGER NOT NULL CHECK (through_seq >= 1),
  through_hash    TEXT    NOT NULL,
  pruned_entries  INTEGER NOT NULL CHECK (pruned_entries >= 0),
  created_at_ms   INTEGER NOT NULL
) STRICT;

-- Appends must extend the chain: the next seq, linked to the head's hash.
CREATE TRIGGER audit_log_link_check BEFORE INSERT ON audit_log
WHEN NEW.seq <> (SELECT last_seq + 1 FROM audit_head WHERE id = 1)
  OR NEW.prev_hash <> (SELECT last_hash FROM audit_head WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'audit_log append does not extend the chain head');
END;

CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
BEGIN
  UPDATE audit_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
END;

-- Deleting is allowed only below a checkpoint (prune writes the checkpoint first, in the same transaction).
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > COALESCE((SELECT MAX(through_seq) FROM audit_checkpoints), 0)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only (delete only through prune and its checkpoint)');
END;

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.last_seq <> OLD.last_seq + 1
BEGIN
  SELECT RAISE(ABORT, 'audit_head only moves forward one entry at a time');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
  SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;

CREATE TRIGGER audit_checkpoints_forward_only BEFORE INSERT ON audit_checkpoints
WHEN NEW.through_seq <= COALESCE((SELECT MAX(through_seq) FROM audit_checkpoints), 0)
  OR NEW.through_seq > (SELECT last_seq FROM audit_head WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'audit checkpoint must move forward and stay within the chain');
END;

-- History view: sort by start (and time range), downtime or total time; filter by VM, host, outcome.
CREATE INDEX migrations_start    ON migrations (start_us);
CREATE INDEX migrations_downtime ON migrations (downtime_us);
CREATE INDEX migrations_total    ON migrations (total_us);
CREATE INDEX migrations_vm       ON migrations (vm_id, start_us);
CREATE INDEX migrations_source   ON migrations (source_host_id, start_us);
CREATE INDEX migrations_target   ON migrations (target_host_id, start_us);
CREATE INDEX migrations_outcome  ON migrations (outcome, start_us);
-- outcome is low-cardinality: without these, sorting one outcome by downtime or total sorts half the table.
CREATE INDEX migrations_outcome_downtime ON migrations (outcome, downtime_us);
CREATE INDEX migrations_outcome_total    ON migrations (outcome, total_us);

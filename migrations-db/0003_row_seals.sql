-- 0003: every recorded row is tamper-evident, not only the audit log. Each row carries the hash of its own
-- canonical content (row-seal.ts); a migration also carries the hash of all its rounds. Each flush appends one
-- `history.sealed` audit entry holding, per table, the id range, row count and SHA-256 over the row hashes it
-- wrote, so the hash chain covers every row; runs are sealed by `run.created` / `run.finished` entries, and a
-- prune re-seals what it leaves. Rows written before this version have NULL hashes until the first read-write
-- open seals them (seal-legacy.ts). Hashes are TEXT: 22 base64url characters.

ALTER TABLE runs ADD COLUMN row_hash TEXT;
ALTER TABLE migrations ADD COLUMN row_hash TEXT;
ALTER TABLE migrations ADD COLUMN rounds_hash TEXT;
ALTER TABLE policy_decisions ADD COLUMN row_hash TEXT;
ALTER TABLE faults ADD COLUMN row_hash TEXT;

-- Present until the first read-write open has sealed the rows above (then dropped in that same transaction).
CREATE TABLE seal_legacy_pending (id INTEGER PRIMARY KEY CHECK (id = 1)) STRICT;
INSERT INTO seal_legacy_pending (id) VALUES (1);

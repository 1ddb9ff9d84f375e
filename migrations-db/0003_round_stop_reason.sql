-- 0003: why pre-copy iteration stopped, on the round after which it stopped (the stop rule that fired, e.g.
-- "less than 256 KiB left" or QEMU's "pending ≤ threshold"); NULL on every other round and for older rows.

ALTER TABLE migration_rounds ADD COLUMN stop_reason TEXT;

-- 0005: a migration's rounds live in its own row (rounds_json) instead of one migration_rounds row each. Inserting
-- a migration with 5 rounds then costs one B-tree insert instead of six (about a fifth less CPU per flush).
-- rounds_json holds exactly the text the rounds hash covers (JSON.stringify of the rounds' seal values in round
-- order, row-seal.ts), so every seal from schema 3 and 4 still verifies against the stored text.
--
-- Filling it cannot be plain SQL: SQLite's JSON writes a REAL as `1000.0` and with 17 digits, where JSON.stringify
-- writes `1000` and the shortest round-trip form, so SQL-built text would not hash like the seal. The runner
-- therefore runs a JavaScript step after this file inside the same transaction (packed-rounds.ts packRoundsTable):
-- it packs every migration's rounds and drops migration_rounds. A crash before the commit leaves schema 4 intact.
ALTER TABLE migrations ADD COLUMN rounds_json TEXT NOT NULL DEFAULT '[]';

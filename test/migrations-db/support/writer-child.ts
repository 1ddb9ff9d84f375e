// Child process for the crash-safety test: writes history flushes of random size to DBPATH forever (bounded)
// and prints "committed FIRST LAST SEQ" after each commit returns; every 10th flush also prunes old audit
// entries, so a kill can land inside a prune too. Usage: node --import tsx writer-child.ts DBPATH SEED
import { openHistoryDb } from '../../../migrations-db'
import { makeBatch, RUN, seededRandom } from './fixtures'

const [path, seedText] = process.argv.slice(2)
const random = seededRandom(Number(seedText))
const db = openHistoryDb(path)
const runId = db.createRun({ ...RUN, startedAtMs: Date.now() })
process.stdout.write(`run ${runId}\n`)
for (let flush = 0; flush < 100_000; flush++) {
  const size = 1 + Math.floor(random() * 20)
  const result = db.recordBatch(makeBatch(runId, flush * 20, size, random))
  process.stdout.write(`committed ${result.migrationIds[0]} ${result.migrationIds[size - 1]} ${result.auditSeqs[size - 1]}\n`)
  if (flush % 10 === 9) db.prune({ beforeWallMs: 1_700_000_000_000 + flush * 10 })
}
db.close()

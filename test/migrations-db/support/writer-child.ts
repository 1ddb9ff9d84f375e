// Child process for the crash harness: writes history flushes of random size (1-20 migrations, the 2nd and every
// 7th after it 500-2,000) to DBPATH forever (bounded) and
// prints "committed FIRST LAST SEQ" after each commit returns; every 10th flush also prunes old audit entries,
// and every 3rd runs an explicit WAL checkpoint (of a random kind) between "checkpointing" and "checkpointed",
// so a kill can land inside a prune or a checkpoint too. Usage: node --import tsx writer-child.ts DBPATH SEED
import { openHistoryDb } from '../../../migrations-db'
import { makeBatch, RUN, seededRandom } from './fixtures'

const [path, seedText] = process.argv.slice(2)
const random = seededRandom(Number(seedText))
// A small auto-checkpoint threshold makes commits checkpoint often as well.
const db = openHistoryDb(path, { walAutocheckpointPages: 16 + Math.floor(random() * 200) })
const runId = db.createRun({ ...RUN, startedAtMs: Date.now() })
process.stdout.write(`run ${runId}\n`)
const MODES = ['passive', 'full', 'restart', 'truncate'] as const
let next = 0
for (let flush = 0; flush < 100_000; flush++) {
  // The 2nd flush and every 7th after it are group-commit sized (500-2,000 migrations, as the history-insert bench's
  // larger flushes): one commit spanning more WAL frames than the auto-checkpoint threshold, announced by "big" so
  // the harness can count kills that tore one. The 2nd, so that the harness's early kills land inside one.
  const big = flush % 7 === 1
  const size = big ? 500 + Math.floor(random() * 1501) : 1 + Math.floor(random() * 20)
  if (big) process.stdout.write('big\n')
  const result = db.recordBatch(makeBatch(runId, next, size, random))
  next += size
  process.stdout.write(`committed ${result.migrationIds[0]} ${result.migrationIds[size - 1]} ${result.auditSeqs[size - 1]}\n`)
  if (flush % 10 === 9) db.prune({ beforeWallMs: 1_700_000_000_000 + flush * 10 })
  if (flush % 3 === 2) {
    process.stdout.write('checkpointing\n')
    db.checkpoint(MODES[Math.floor(random() * MODES.length)])
    process.stdout.write('checkpointed\n')
  }
}
db.close()

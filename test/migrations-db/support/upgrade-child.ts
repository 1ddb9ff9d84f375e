// Child process for upgrade-crash.test.ts: prints "upgrading", opens DBPATH read-write (which runs pending
// migrations, 0005's packing step among them, and seals legacy rows), then prints "upgraded". The parent kills it
// somewhere in between. Usage: node --import tsx upgrade-child.ts DBPATH
import { openHistoryDb } from '../../../migrations-db'

const [path] = process.argv.slice(2)
process.stdout.write('upgrading\n')
openHistoryDb(path).close()
process.stdout.write('upgraded\n')

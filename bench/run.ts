// `npm run bench -- NAME…`: runs the named benchmark suites (all when none is named) and prints their
// figures. Benchmarks, not unit tests, check speed and memory targets: this machine is shared and noisy.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const benchDir = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .map((name) => name.slice(0, -'.bench.ts'.length))
  .sort()

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const unknown = requested.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown suite ${unknown.join(', ')}; available: ${available.join(', ')}\n`)
  process.exit(2)
}
for (const name of requested.length > 0 ? requested : available) {
  process.stdout.write(`\n== ${name} ==\n`)
  const suite = (await import(join(benchDir, `${name}.bench.ts`))) as { run(): Promise<void> | void }
  await suite.run()
}

// Prints the policy comparison table of docs/policies.md from a `cutover sweep --out FILE.json` document:
// mean ± 95 % CI per policy, GiB moved = bytesMigrated / 2³⁰. Usage: npx tsx scripts/policy-table.ts FILE.json
import { readFileSync } from 'node:fs'
import { z } from 'zod'

const statSchema = z.object({ mean: z.number(), ci95: z.number() })
const sweepSchema = z.object({ summary: z.record(z.string(), z.record(z.string(), statSchema)) })
const COLUMNS: readonly [string, string, number][] = [
  ['energyKWh', 'energy kWh', 1], ['migrations', 'migrations', 1], ['slatahPct', 'SLATAH %', 1], ['pdmPct', 'PDM %', 1],
  ['slav', 'SLAV', 1], ['esv', 'ESV', 1], ['meanDowntimeMs', 'mean downtime ms', 1], ['p99DowntimeMs', 'p99 downtime ms', 1],
  ['bytesMigrated', 'GiB moved', 2 ** -30]
]

function number(value: number, digits: number): string {
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US')
  if (magnitude >= 0.001) return String(Number(value.toPrecision(digits)))
  return value.toExponential(digits - 1).replace(/\.?0+e/, 'e')
}

const path = process.argv[2]
if (path === undefined) {
  process.stderr.write('usage: npx tsx scripts/policy-table.ts SWEEP.json\n')
  process.exit(2)
}
const sweep = sweepSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
const lines = [`| policy | ${COLUMNS.map(([, title]) => title).join(' | ')} |`, `| --- |${' --- |'.repeat(COLUMNS.length)}`]
for (const [policy, stats] of Object.entries(sweep.summary)) {
  const cells = COLUMNS.map(([field, , scale]) => {
    const stat = stats[field]
    if (stat === undefined) return '–'
    const mean = stat.mean * scale
    // A CI below the mean's float noise (every seed equal) is shown as none.
    const ci = Math.abs(stat.ci95) <= 1e-9 * Math.abs(stat.mean) ? 0 : stat.ci95 * scale
    return ci === 0 ? number(mean, 3) : `${number(mean, 3)} ± ${number(ci, 2)}`
  })
  lines.push(`| \`${policy}\` | ${cells.join(' | ')} |`)
}
process.stdout.write(lines.join('\n') + '\n')

// The PlanetLab study of docs/policies.md: the five detectors with MMT on the ten real days, CloudSim-compatible
// vs faithful; MC, MU and RS for one day; an ablation over the compat switches; a chart. Resumable: every run is
// stored in docs/data/planetlab-study.json as it finishes (keyed by policy, day, mode and switches), so a second
// invocation only runs what is missing; `--render` (or the end of a full run) rewrites the docs section and chart.
//   nice -n 10 npx tsx scripts/planetlab-study.ts [--render] [--only N] [--part k/m]
// With --part k/m, m invocations share the jobs (job j goes to part j mod m) and write part files; a final
// invocation without --part folds them in and renders.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { COMPAT_SWITCHES, createDatacenter, resolveCompat, switchesOn, validateScenario, type CompatSettings, type CompatSwitch, type RunSummary } from '../engine/index'
import { attachTracePack } from '../main/scenarios/trace-files'

const root = resolve(import.meta.dirname, '..')
const RESULTS = join(root, 'docs/data/planetlab-study.json')
const DOC = join(root, 'docs/policies.md')
const CHART = join(root, 'docs/planetlab-energy-slav.svg')
const DAYS = ['20110303', '20110306', '20110309', '20110322', '20110325', '20110403', '20110409', '20110411', '20110412', '20110420']
const DETECTORS = ['thr', 'iqr', 'mad', 'lr', 'lrr']
const FIELDS = ['energyKWh', 'migrations', 'slatahPct', 'pdmPct', 'slav', 'esv', 'bytesMigrated', 'meanDowntimeMs', 'overloadHostH'] as const

interface Job { readonly policy: string; readonly day: string; readonly compat: CompatSettings; readonly label: string }
type Stored = Pick<RunSummary, (typeof FIELDS)[number] | 'compat' | 'compatSwitches'> & { readonly policy: string; readonly day: string; readonly cpuS: number }

const modes = { faithful: resolveCompat('faithful'), cloudsim: resolveCompat('cloudsim') }
const keyOf = (job: Pick<Job, 'policy' | 'day' | 'compat'>) => `${job.policy}|${job.day}|${job.compat.mode}|${switchesOn(job.compat)}`

/** Most telling first: one day in both modes, the ablation, other selectors, then the other nine days. */
function jobs(): Job[] {
  const list: Job[] = []
  const both = (policy: string, day: string) => { for (const mode of ['cloudsim', 'faithful'] as const) list.push({ policy, day, compat: modes[mode], label: mode }) }
  for (const d of DETECTORS) both(`${d}-mmt`, DAYS[0])
  for (const name of COMPAT_SWITCHES) {
    list.push({ policy: 'lr-mmt', day: DAYS[0], compat: resolveCompat('cloudsim', { [name]: false }), label: `cloudsim − ${name}` })
    list.push({ policy: 'lr-mmt', day: DAYS[0], compat: resolveCompat('faithful', { [name]: true }), label: `faithful + ${name}` })
  }
  for (const day of DAYS.slice(1)) for (const d of DETECTORS) both(`${d}-mmt`, day)
  // MC regresses every VM on its host's others: with memory unenforced dozens share a host, so it goes last.
  for (const selector of ['mu', 'rs', 'mc']) both(`lr-${selector}`, DAYS[0])
  return list
}

const partFile = (k: number) => RESULTS.replace(/\.json$/, `.part-${k}.json`)

/** The stored runs: the main file plus any part files of parallel invocations (`--part k/m`). */
function load(): Record<string, Stored> {
  const merged: Record<string, Stored> = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, Stored> : {}
  for (let k = 1; k <= 8; k++) if (existsSync(partFile(k))) Object.assign(merged, JSON.parse(readFileSync(partFile(k), 'utf8')) as Record<string, Stored>)
  return merged
}

function scenarioOf(day: string) {
  const path = join(root, 'scenarios', `planetlab-${day}.json`)
  const validation = validateScenario(attachTracePack(JSON.parse(readFileSync(path, 'utf8')), path))
  if (!validation.ok) throw new Error(validation.errors.join('\n'))
  return validation.scenario
}

function runAll(limit: number, part: { k: number; m: number }): void {
  const results = load()
  const mine: Record<string, Stored> = {}
  const out = part.m === 1 ? RESULTS : partFile(part.k)
  let done = 0
  for (const [j, job] of jobs().entries()) {
    const key = keyOf(job)
    if (results[key] !== undefined || j % part.m !== part.k - 1) continue
    if (done++ >= limit) break
    const before = process.cpuUsage()
    const summary = createDatacenter({ scenario: scenarioOf(job.day), seed: 1, policy: job.policy, compat: job.compat }).run()
    const used = process.cpuUsage(before)
    const stored: Record<string, unknown> = { policy: job.policy, day: job.day, compat: summary.compat, compatSwitches: summary.compatSwitches, cpuS: Number(((used.user + used.system) / 1e6).toFixed(2)) }
    for (const field of FIELDS) stored[field] = summary[field]
    results[key] = stored as Stored
    mine[key] = stored as Stored
    writeFileSync(out, JSON.stringify(part.m === 1 ? results : mine, null, 1) + '\n')
    process.stderr.write(`${job.label} ${job.policy} ${job.day}: ${summary.migrations} migrations, ${summary.energyKWh.toFixed(1)} kWh, cpu ${stored.cpuS} s\n`)
  }
}

function fmt(value: number, digits = 3): string {
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US')
  if (magnitude >= 0.001) return String(Number(value.toPrecision(digits)))
  return value.toExponential(digits - 1).replace(/\.?0+e/, 'e')
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

const COLUMNS: readonly [keyof Stored, string, number][] = [
  ['energyKWh', 'energy kWh', 1], ['migrations', 'migrations', 1], ['slatahPct', 'SLATAH %', 1], ['pdmPct', 'PDM %', 1],
  ['slav', 'SLAV', 1], ['esv', 'ESV', 1], ['bytesMigrated', 'TiB moved', 2 ** -40], ['meanDowntimeMs', 'mean downtime ms', 1],
  ['overloadHostH', 'overload host-h', 1]
]

function row(label: string, runs: readonly Stored[]): string {
  return `| ${label} | ${runs.length} | ${COLUMNS.map(([field, , scale]) => fmt(mean(runs.map((r) => Number(r[field]) * scale)))).join(' | ')} |`
}

const HEADER = `| run | days | ${COLUMNS.map(([, title]) => title).join(' | ')} |\n| --- | ---: |${' ---: |'.repeat(COLUMNS.length)}`

function pick(results: Record<string, Stored>, policy: string, compat: CompatSettings, days: readonly string[]): Stored[] {
  return days.map((day) => results[keyOf({ policy, day, compat })]).filter((r): r is Stored => r !== undefined)
}

function chart(results: Record<string, Stored>): string {
  const points = DETECTORS.flatMap((d) => (['cloudsim', 'faithful'] as const).map((mode) => {
    const runs = pick(results, `${d}-mmt`, modes[mode], DAYS)
    return { label: `${d.toUpperCase()}-MMT`, mode, energy: mean(runs.map((r) => r.energyKWh)), slav: mean(runs.map((r) => r.slav)) }
  })).filter((p) => Number.isFinite(p.energy) && p.slav > 0)
  const width = 640
  const height = 400
  const pad = 60
  const logs = points.map((p) => Math.log10(p.slav))
  const [minE, maxE] = [Math.min(...points.map((p) => p.energy)) * 0.9, Math.max(...points.map((p) => p.energy)) * 1.05]
  const [minS, maxS] = [Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs))]
  const x = (e: number) => pad + ((e - minE) / Math.max(1e-9, maxE - minE)) * (width - 2 * pad)
  const y = (s: number) => height - pad - ((Math.log10(s) - minS) / Math.max(1e-9, maxS - minS)) * (height - 2 * pad)
  const marks = points.map((p) => {
    const color = p.mode === 'cloudsim' ? '#d9480f' : '#1864ab'
    return `<circle cx="${x(p.energy).toFixed(1)}" cy="${y(p.slav).toFixed(1)}" r="5" fill="${color}"/><text x="${(x(p.energy) + 8).toFixed(1)}" y="${(y(p.slav) + 4).toFixed(1)}" font-size="11">${p.label}</text>`
  }).join('\n')
  const ticks = Array.from({ length: maxS - minS + 1 }, (_, i) => minS + i)
    .map((t) => `<text x="${pad - 8}" y="${y(10 ** t) + 4}" font-size="11" text-anchor="end">1e${t}</text><line x1="${pad}" x2="${width - pad}" y1="${y(10 ** t)}" y2="${y(10 ** t)}" stroke="#ddd"/>`).join('\n')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${ticks}
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="black"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="black"/>
<text x="${width / 2}" y="${height - 20}" font-size="12" text-anchor="middle">energy, kWh (mean over the days run)</text>
<text x="16" y="${height / 2}" font-size="12" transform="rotate(-90 16 ${height / 2})" text-anchor="middle">SLAV (log)</text>
<text x="${x(minE)}" y="${height - pad + 16}" font-size="11">${fmt(minE)}</text><text x="${x(maxE)}" y="${height - pad + 16}" font-size="11" text-anchor="end">${fmt(maxE)}</text>
<circle cx="${width - 170}" cy="24" r="5" fill="#d9480f"/><text x="${width - 160}" y="28" font-size="12">CloudSim-compatible</text>
<circle cx="${width - 170}" cy="42" r="5" fill="#1864ab"/><text x="${width - 160}" y="46" font-size="12">faithful</text>
${marks}
</svg>
`
}

function render(): void {
  const results = load()
  const lines: string[] = []
  const daysDone = (policy: string, mode: keyof typeof modes) => pick(results, policy, modes[mode], DAYS).length
  lines.push('Regenerate with `nice -n 10 npx tsx scripts/planetlab-study.ts` (resumable; `--render` only rewrites this section', 'and the chart from `docs/data/planetlab-study.json`). Seed 1; every figure is a mean over the days run (column "days").', '')
  lines.push('### Five detectors with MMT, both modes', '', HEADER)
  for (const d of DETECTORS) for (const mode of ['cloudsim', 'faithful'] as const) {
    const runs = pick(results, `${d}-mmt`, modes[mode], DAYS)
    if (runs.length > 0) lines.push(row(`\`${d}-mmt\` ${mode}`, runs))
  }
  lines.push('', '![energy vs SLAV per detector, both modes](planetlab-energy-slav.svg)', '')
  lines.push(`### Selection policies on ${DAYS[0]} (LR detector)`, '', HEADER)
  for (const selector of ['mmt', 'mc', 'mu', 'rs']) for (const mode of ['cloudsim', 'faithful'] as const) {
    const runs = pick(results, `lr-${selector}`, modes[mode], [DAYS[0]])
    if (runs.length > 0) lines.push(row(`\`lr-${selector}\` ${mode}`, runs))
  }
  lines.push('', `### Ablation: \`lr-mmt\` on ${DAYS[0]}, one switch at a time`, '', HEADER)
  const base = { cloudsim: pick(results, 'lr-mmt', modes.cloudsim, [DAYS[0]]), faithful: pick(results, 'lr-mmt', modes.faithful, [DAYS[0]]) }
  if (base.cloudsim.length > 0) lines.push(row('cloudsim (all switches on)', base.cloudsim))
  for (const name of COMPAT_SWITCHES) {
    const runs = pick(results, 'lr-mmt', resolveCompat('cloudsim', { [name]: false } as Partial<Record<CompatSwitch, boolean>>), [DAYS[0]])
    if (runs.length > 0) lines.push(row(`cloudsim − \`${name}\``, runs))
  }
  if (base.faithful.length > 0) lines.push(row('faithful (all switches off)', base.faithful))
  for (const name of COMPAT_SWITCHES) {
    const runs = pick(results, 'lr-mmt', resolveCompat('faithful', { [name]: true } as Partial<Record<CompatSwitch, boolean>>), [DAYS[0]])
    if (runs.length > 0) lines.push(row(`faithful + \`${name}\``, runs))
  }
  const cpu = Object.values(results).map((r) => r.cpuS)
  lines.push('', `CPU time per run (one thread, this machine): median ${fmt([...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)] ?? 0)} s, max ${fmt(Math.max(0, ...cpu))} s over ${cpu.length} runs; days done per detector and mode: ${DETECTORS.map((d) => `${d} ${daysDone(`${d}-mmt`, 'cloudsim')}/${daysDone(`${d}-mmt`, 'faithful')}`).join(', ')}.`)
  const doc = readFileSync(DOC, 'utf8')
  const start = '<!-- planetlab-study:start -->'
  const end = '<!-- planetlab-study:end -->'
  const section = `${start}\n${lines.join('\n')}\n${end}`
  const next = doc.includes(start) ? doc.replace(new RegExp(`${start}[\\s\\S]*${end}`), section) : `${doc.trimEnd()}\n\n## PlanetLab study (real traces, CloudSim-compatible vs faithful)\n\n${section}\n`
  writeFileSync(DOC, next)
  writeFileSync(CHART, chart(results))
  process.stderr.write(`rendered ${Object.keys(results).length} runs into docs/policies.md and ${CHART}\n`)
}

const args = process.argv.slice(2)
const partAt = args.indexOf('--part')
const [k, m] = partAt >= 0 ? args[partAt + 1].split('/').map(Number) : [1, 1]
if (!args.includes('--render')) {
  const at = args.indexOf('--only')
  runAll(at >= 0 ? Number(args[at + 1]) : Number.POSITIVE_INFINITY, { k, m })
}
if (m === 1) {
  // One file again: the parts fold into the main results.
  const all = load()
  writeFileSync(RESULTS, JSON.stringify(all, null, 1) + '\n')
  for (let part = 1; part <= 8; part++) if (existsSync(partFile(part))) rmSync(partFile(part))
  render()
}

// `cutover merge FILE…`: joins the outputs of sweep shards (.json documents or .csv tables) into one run list,
// ordered by policy (first appearance) then seed, recomputes the per-policy summary, and prints or writes it.
// Every shard output names its sweep and `i/n`; merge reports missing and duplicate shards and refuses a set
// that is not exactly one complete sweep (every shard once, each with all its runs) unless --allow-partial.
// The same (policy, seed) twice is kept once if its trace hash agrees and is an error if it does not.
import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { RUN_SUMMARY_FIELDS, type RunSummary } from '../../engine/index'
import { parseCsv } from '../../main/support/csv'
import { UsageError } from '../support/errors'
import { checkWritableFile, printJson } from '../support/flags'
import { runsInShard, shardLabel, type SweepIdentity } from '../support/sweep-identity'
import { IDENTITY_COLUMNS, orderRuns, printSummaryTable, summarize, writeOut, type SweepDocument } from './sweep'

const finite = z.number().finite()
const runSchema = z.object({
  ...Object.fromEntries(RUN_SUMMARY_FIELDS.map((field) => [field, finite])),
  policy: z.string().min(1),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  lostWrites: finite.nonnegative().nullable(),
  traceHash: z.string().min(1)
})

const identitySchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).refine((s) => s.index <= s.count, 'index above count'),
  runsTotal: z.number().int().nonnegative()
})

const documentSchema = z.object({ sweep: identitySchema.nullable().optional(), runs: z.array(z.unknown()) })

/** One input file: its runs and, when it says so, which shard of which sweep it is. */
export interface ShardFile {
  readonly label: string
  readonly identity: SweepIdentity | null
  readonly runs: RunSummary[]
}

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '')
}

function parseRun(value: unknown, label: string, at: string): RunSummary {
  const parsed = runSchema.safeParse(value)
  if (parsed.success) return parsed.data as unknown as RunSummary
  const issue = parsed.error.issues[0]
  const path = issuePath(issue)
  const where = `${at}${path === '' ? '' : `.${path}`}`
  throw new UsageError(`${label}: ${where}: ${value === null || typeof value !== 'object' ? 'expected an object' : issue.message}`)
}

function csvNumber(raw: string, field: string, label: string, row: number): number | null {
  if (raw === '' && field === 'lostWrites') return null
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${label}: row ${row}, column ${field}: expected a number, got "${raw}"`)
  return value
}

export function parseCsvRuns(text: string, label: string): ShardFile {
  let records: string[][]
  try {
    records = parseCsv(text)
  } catch (error) {
    throw new UsageError(`${label}: not valid CSV (${(error as Error).message})`)
  }
  if (records.length === 0) return { label, identity: null, runs: [] }
  const header = records[0]
  const missing = RUN_SUMMARY_FIELDS.filter((field) => !header.includes(field))
  if (missing.length > 0) throw new UsageError(`${label}: not a sweep CSV (missing columns ${missing.join(', ')})`)
  const identities = new Set<string>()
  const runs = records.slice(1).map((cells, r) => {
    const run: Record<string, unknown> = {}
    for (const field of RUN_SUMMARY_FIELDS) {
      const raw = cells[header.indexOf(field)] ?? ''
      run[field] = field === 'policy' || field === 'traceHash' ? raw : csvNumber(raw, field, label, r + 2)
    }
    identities.add(JSON.stringify(IDENTITY_COLUMNS.map((column) => (header.includes(column) ? cells[header.indexOf(column)] ?? '' : ''))))
    return parseRun(run, label, `row ${r + 2}`)
  })
  if (identities.size > 1) throw new UsageError(`${label}: rows of ${identities.size} different shards or sweeps in one file`)
  return { label, identity: csvIdentity(JSON.parse([...identities][0] ?? '["","",""]') as string[], label), runs }
}

function csvIdentity([id, shard, runsTotal]: readonly string[], label: string): SweepIdentity | null {
  if (id === '' && shard === '' && runsTotal === '') return null
  const match = /^(\d+)\/(\d+)$/.exec(shard)
  const parsed = identitySchema.safeParse({ id, shard: { index: Number(match?.[1]), count: Number(match?.[2]) }, runsTotal: Number(runsTotal) })
  if (!parsed.success) throw new UsageError(`${label}: bad sweep identity columns (sweepId ${id}, shard ${shard}, sweepRuns ${runsTotal})`)
  return parsed.data
}

export function readRuns(path: string): ShardFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new UsageError(`merge: cannot read ${path}`)
  }
  if (path.endsWith('.csv')) return parseCsvRuns(text, path)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`)
  }
  const document = documentSchema.safeParse(json)
  if (!document.success) {
    const issue = document.error.issues[0]
    throw new UsageError(`${path}: expected a sweep document ({"sweep": …, "runs": […]})${issuePath(issue) === '' ? '' : `: ${issuePath(issue)}: ${issue.message}`}`)
  }
  return { label: path, identity: document.data.sweep ?? null, runs: document.data.runs.map((run, i) => parseRun(run, path, `runs[${i}]`)) }
}

export interface ShardCheck {
  /** Problems that make the set incomplete or inconsistent (refused without --allow-partial). */
  readonly problems: readonly string[]
  /** Identity of the merged output: the whole sweep when complete, else null. */
  readonly identity: SweepIdentity | null
}

/** Checks that the files are every shard of one sweep, each once and whole. */
export function checkShards(files: readonly ShardFile[]): ShardCheck {
  const problems: string[] = []
  const unnamed = files.filter((file) => file.identity === null)
  for (const file of unnamed) problems.push(`${file.label}: says neither its sweep nor its shard (i/n), so completeness cannot be checked`)
  const named = files.filter((file): file is ShardFile & { identity: SweepIdentity } => file.identity !== null)
  if (named.length === 0) return { problems, identity: null }
  const ids = [...new Set(named.map((file) => file.identity.id))]
  if (ids.length > 1) problems.push(`the files come from ${ids.length} different sweeps (${ids.join(', ')})`)
  const counts = [...new Set(named.map((file) => file.identity.shard.count))]
  if (counts.length > 1) problems.push(`the files are shards of different splits (${counts.map((n) => `/${n}`).join(', ')})`)
  if (problems.length > 0) return { problems, identity: null }
  const { id, runsTotal } = named[0].identity
  const count = counts[0]
  const seen = new Map<number, string>()
  for (const file of named) {
    const label = shardLabel(file.identity.shard)
    const earlier = seen.get(file.identity.shard.index)
    if (earlier !== undefined) problems.push(`shard ${label} appears twice (${earlier} and ${file.label})`)
    seen.set(file.identity.shard.index, file.label)
    const expected = runsInShard(file.identity)
    if (file.runs.length !== expected) problems.push(`${file.label}: shard ${label} holds ${file.runs.length} of its ${expected} runs`)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !seen.has(index))
  if (missing.length > 0) problems.push(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')} of sweep ${id}`)
  return { problems, identity: problems.length === 0 ? { id, shard: { index: 1, count: 1 }, runsTotal } : null }
}

export function mergeRuns(files: readonly RunSummary[][]): RunSummary[] {
  const byKey = new Map<string, RunSummary>()
  const policyOrder: string[] = []
  for (const runs of files) {
    for (const run of runs) {
      if (!policyOrder.includes(run.policy)) policyOrder.push(run.policy)
      const key = `${run.policy}\u0000${run.seed}`
      const seen = byKey.get(key)
      if (seen !== undefined && seen.traceHash !== run.traceHash) {
        throw new UsageError(`merge: policy ${run.policy}, seed ${run.seed} appears twice with different trace hashes`)
      }
      byKey.set(key, run)
    }
  }
  return orderRuns([...byKey.values()], policyOrder)
}

interface MergeOptions { out?: string; json?: boolean; allowPartial?: boolean }

async function mergeCommand(paths: string[], options: MergeOptions): Promise<void> {
  if (options.out !== undefined && !/\.(csv|json)$/.test(options.out)) throw new UsageError(`--out: expected a .csv or .json file, got "${options.out}"`)
  if (options.out !== undefined) checkWritableFile('--out', options.out)
  const files = paths.map(readRuns)
  const check = checkShards(files)
  if (check.problems.length > 0 && options.allowPartial !== true) {
    throw new UsageError(`merge: not one complete sweep (pass --allow-partial to merge anyway):\n  ${check.problems.join('\n  ')}`)
  }
  for (const problem of check.problems) process.stderr.write(`merge: warning: ${problem}\n`)
  const merged = mergeRuns(files.map((file) => file.runs))
  if (options.out !== undefined) writeOut(options.out, merged, check.identity)
  if (options.json) printJson({ sweep: check.identity, runs: merged, summary: summarize(merged) } satisfies SweepDocument)
  else if (options.out === undefined) printSummaryTable(summarize(merged), (line) => process.stdout.write(line))
  const shards = files.flatMap((file) => (file.identity === null ? [] : [shardLabel(file.identity.shard)]))
  process.stderr.write(`merge: ${merged.length} runs from ${files.length} file(s)${shards.length > 0 ? ` (shards ${shards.join(', ')})` : ''}` +
    `${check.identity === null ? ', partial' : `, sweep ${check.identity.id} complete`}\n`)
}

export function registerMergeCommand(program: Command): void {
  program.command('merge')
    .description('join sweep shard outputs (.json or .csv) and summarise them')
    .argument('<files...>', 'shard outputs of `cutover sweep --out`')
    .option('--out <file>', 'write the merged runs to FILE.csv or FILE.json')
    .option('--json', 'print the merged {sweep, runs, summary} document')
    .option('--allow-partial', 'merge even if shards are missing, duplicated, truncated or from different sweeps (warns)')
    .action(mergeCommand)
}

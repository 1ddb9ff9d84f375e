// `cutover merge FILE…`: joins the outputs of sweep shards (.json documents or .csv tables) into one run list,
// ordered by policy (first appearance) then seed, recomputes the per-policy summary, and prints or writes it.
// The same (policy, seed) twice is kept once if its trace hash agrees and is an error if it does not.
import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { RUN_SUMMARY_FIELDS, type RunSummary } from '../../engine/index'
import { UsageError } from '../support/errors'
import { printJson } from '../support/flags'
import { orderRuns, printSummaryTable, summarize, writeOut, type SweepDocument } from './sweep'

const TEXT_FIELDS = new Set(['policy', 'traceHash'])

function splitCsvLine(line: string): string[] {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++ } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { cells.push(cell); cell = '' } else cell += ch
  }
  cells.push(cell)
  return cells
}

export function parseCsvRuns(text: string, label: string): RunSummary[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  if (lines.length === 0) return []
  const header = splitCsvLine(lines[0])
  const missing = RUN_SUMMARY_FIELDS.filter((field) => !header.includes(field))
  if (missing.length > 0) throw new UsageError(`${label}: not a sweep CSV (missing columns ${missing.join(', ')})`)
  return lines.slice(1).map((line, row) => {
    const cells = splitCsvLine(line)
    const run: Record<string, string | number> = {}
    header.forEach((field, i) => {
      const raw = cells[i] ?? ''
      if (TEXT_FIELDS.has(field)) { run[field] = raw; return }
      const value = Number(raw)
      if (raw === '' || !Number.isFinite(value)) throw new UsageError(`${label}: row ${row + 2}, column ${field}: expected a number, got "${raw}"`)
      run[field] = value
    })
    return run as unknown as RunSummary
  })
}

export function readRuns(path: string): RunSummary[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new UsageError(`merge: cannot read ${path}`)
  }
  if (path.endsWith('.csv')) return parseCsvRuns(text, path)
  let document: Partial<SweepDocument>
  try {
    document = JSON.parse(text) as Partial<SweepDocument>
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`)
  }
  if (!Array.isArray(document.runs)) throw new UsageError(`${path}: expected a sweep document with a "runs" array`)
  return document.runs
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

async function mergeCommand(files: string[], options: { out?: string; json?: boolean }): Promise<void> {
  const merged = mergeRuns(files.map(readRuns))
  if (options.out !== undefined) writeOut(options.out, merged)
  if (options.json) printJson({ runs: merged, summary: summarize(merged) } satisfies SweepDocument)
  else if (options.out === undefined) printSummaryTable(summarize(merged), (line) => process.stdout.write(line))
  process.stderr.write(`merge: ${merged.length} runs from ${files.length} file(s)\n`)
}

export function registerMergeCommand(program: Command): void {
  program.command('merge')
    .description('join sweep shard outputs (.json or .csv) and summarise them')
    .argument('<files...>', 'shard outputs of `cutover sweep --out`')
    .option('--out <file>', 'write the merged runs to FILE.csv or FILE.json')
    .option('--json', 'print the merged {runs, summary} document')
    .action(mergeCommand)
}

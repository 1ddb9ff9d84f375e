// Builds a workload from its plain spec, and checks a spec (schema.ts, then the memory geometry) first so that callers
// (CLI, scenario loader, migration engine) can report a bad field by name instead of tripping an assert.
import { schemaIssues } from '../api/issues'
import { InvariantViolation } from '../kernel/assert'
import type { Rng } from '../kernel/rng'
import type { PageRange } from '../memory/dirty-bitmap'
import { MIB, PAGE_BYTES_DEFAULT } from '../memory/geometry'
import { GAME_DEFAULTS, GameWorkload, gameRegions } from './generators/game'
import { HotsetWorkload, hotsetRegions } from './generators/hotset'
import { IDLE_DEFAULTS, IdleWorkload } from './generators/idle'
import { MuncherWorkload, muncherRegions } from './generators/muncher'
import { OLTP_DEFAULTS, OltpWorkload, oltpRegions } from './generators/oltp'
import { parseWriteTrace, TraceWorkload } from './generators/trace'
import { WEB_DEFAULTS, WebWorkload, webRegions } from './generators/web'
import { workloadSpecSchema } from './schema'
import { HOTSET_DEFAULTS, type WorkloadSpec } from './spec'
import type { Workload } from './workload'

/** A workload for `spec` drawing from `rng` (give each workload its own stream, e.g. `workload/vm-0001`). */
export function createWorkload(spec: WorkloadSpec, rng: Rng): Workload {
  switch (spec.kind) {
    case 'idle': return new IdleWorkload(spec, rng)
    case 'hotset': return new HotsetWorkload(spec, rng)
    case 'muncher': return new MuncherWorkload(spec, rng)
    case 'web': return new WebWorkload(spec, rng)
    case 'game': return new GameWorkload(spec, rng)
    case 'oltp': return new OltpWorkload(spec, rng)
    case 'trace': return new TraceWorkload(spec, rng)
  }
}

/** `spec` with every optional generator parameter filled in with its default (for reports); kind first. */
export function resolvedWorkloadSpec(spec: WorkloadSpec): WorkloadSpec {
  const defaults = defaultsFor(spec)
  const { kind, ...given } = spec
  return { kind, ...defaults, ...given } as WorkloadSpec
}

function defaultsFor(spec: WorkloadSpec): object {
  switch (spec.kind) {
    case 'idle': return IDLE_DEFAULTS
    case 'hotset': return { zipfS: HOTSET_DEFAULTS.zipfS, offsetMiB: 0 }
    case 'muncher': return {}
    case 'web': return WEB_DEFAULTS
    case 'game': return GAME_DEFAULTS
    case 'oltp': return OLTP_DEFAULTS
    case 'trace': return { loop: false }
  }
}

/** Why `spec` cannot run in memBytes of memory, naming the field (e.g. `hotMiB: …`); undefined when fine. */
export function checkWorkloadSpec(spec: WorkloadSpec, memBytes: number, pageBytes = PAGE_BYTES_DEFAULT): string | undefined {
  const [problem] = schemaIssues(workloadSpecSchema, spec, '(workload)')
  if (problem !== undefined) return problem
  if (spec.filledMiB !== undefined && spec.filledMiB * MIB > memBytes) return `filledMiB: more than the memory (${memBytes / MIB} MiB), got ${spec.filledMiB}`
  return layoutProblem(spec, memBytes / pageBytes, pageBytes)
}

function layoutProblem(spec: WorkloadSpec, pageCount: number, pageBytes: number): string | undefined {
  if (spec.kind === 'trace') {
    const parsed = parseWriteTrace(spec.csv)
    if (!parsed.ok) return `csv: ${parsed.error}`
    if (parsed.trace.pagesNeeded > pageCount) return `csv: trace writes page ${parsed.trace.pagesNeeded - 1}, memory has ${pageCount} pages`
    if (spec.periodUs !== undefined && spec.periodUs <= parsed.trace.lastUs) return `periodUs: must exceed the last row's timeUs ${parsed.trace.lastUs}`
    return undefined
  }
  try {
    regionsOf(spec, pageCount, pageBytes)
    return undefined
  } catch (error) {
    if (error instanceof InvariantViolation) return `${regionField(spec)}: ${error.message}`
    throw error
  }
}

function regionsOf(spec: WorkloadSpec, pageCount: number, pageBytes: number): PageRange[] {
  switch (spec.kind) {
    case 'hotset': return hotsetRegions(spec, pageCount, pageBytes)
    case 'muncher': return muncherRegions(spec, pageCount, pageBytes)
    case 'web': return webRegions(spec, pageCount, pageBytes)
    case 'game': return gameRegions(spec, pageCount, pageBytes)
    case 'oltp': return oltpRegions(spec, pageCount, pageBytes)
    default: return []
  }
}

function regionField(spec: WorkloadSpec): string {
  switch (spec.kind) {
    case 'hotset': return 'hotMiB'
    case 'muncher': return 'regionMiB'
    case 'web': return 'heapMiB'
    case 'game': return 'stateMiB'
    case 'oltp': return 'bufferPoolMiB'
    default: return 'kind'
  }
}

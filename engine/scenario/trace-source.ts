// The trace pack of a scenario, parsed once per distinct pack text (sweeps build the same scenario many times),
// and the checks validation runs on it: every `replay` VM must find its trace, at the scenario's interval.
import type { Scenario } from './schema'
import { parseTracePack, TraceFormatError, type TracePack } from './trace-pack'

let cachedText: string | null = null
let cachedPack: TracePack | null = null

/** The parsed pack of `scenario.traces.pack`, or undefined when the scenario has none. Throws TraceFormatError. */
export function scenarioTracePack(scenario: Pick<Scenario, 'traces'>): TracePack | undefined {
  const text = scenario.traces?.pack
  if (text === undefined) return undefined
  if (text !== cachedText) {
    cachedPack = parseTracePack(text, 'traces.pack')
    cachedText = text
  }
  return cachedPack as TracePack
}

/** Problems with the scenario's traces, as `field.path: reason` lines. */
export function traceErrors(scenario: Scenario): string[] {
  const replaying = scenario.vms.map((group, g) => ({ group, g })).filter(({ group }) => group.cpu.kind === 'replay')
  if (replaying.length === 0) return []
  if (scenario.traces?.pack === undefined) {
    const hint = scenario.traces?.file === undefined ? '' : ` (traces.file ${JSON.stringify(scenario.traces.file)} is read by the CLI and the app, not by the engine)`
    return [`traces.pack: replay VMs need a trace pack, got none${hint}`]
  }
  let pack: TracePack
  try {
    pack = scenarioTracePack(scenario) as TracePack
  } catch (error) {
    if (error instanceof TraceFormatError) return [`traces.pack: line ${error.line}: ${error.message.slice(error.message.indexOf(': ', error.file.length) + 2)}`]
    throw error
  }
  const errors: string[] = []
  if (pack.sampleIntervalS !== scenario.sampleIntervalS) {
    errors.push(`sampleIntervalS: the trace pack samples every ${pack.sampleIntervalS} s, got ${scenario.sampleIntervalS}`)
  }
  for (const { group, g } of replaying) {
    const first = group.cpu.kind === 'replay' ? group.cpu.first : 0
    if (first + group.count > pack.names.length) {
      errors.push(`vms[${g}].cpu.first: traces ${first + 1}…${first + group.count} requested, the pack holds ${pack.names.length}, got ${first}`)
    }
  }
  return errors
}

// The validation matrix: RAM sizes, bandwidths, dirty rates below and above the bandwidth, hot-set sizes,
// patterns, auto-converge on/off (throttle-aware guest or not), XBZRLE and post-copy. `--quick` runs three.
import { RUN_DEFAULTS, type RunSpec } from './spec'

type Overrides = Partial<RunSpec> & Pick<RunSpec, 'memMiB' | 'hotMiB' | 'ratePagesPerS' | 'maxBandwidthMbit'>

/** Auto-converge needs ~2 syncs per 10-point step to reach 99 %, post-copy its passes first: they get longer. */
const SLOW_CONVERGING_CAP_S = 90

/**
 * The cap scales with the first pass: a run is called not converged only after it had time for this many copies
 * of its memory at max-bandwidth (30 s stopped 512 MiB+ runs at 100 Mbit/s inside their first pass).
 */
const CAP_MEMORY_COPIES = 2

function capFor(overrides: Overrides): number {
  const slow = overrides.autoConverge === true || overrides.postcopy === true ? SLOW_CONVERGING_CAP_S : RUN_DEFAULTS.capS
  const copiesS = (CAP_MEMORY_COPIES * overrides.memMiB * 2 ** 20 * 8) / (overrides.maxBandwidthMbit * 1e6)
  return Math.max(slow, Math.ceil(copiesS))
}

function spec(overrides: Overrides): RunSpec {
  const cap = { capS: capFor(overrides) }
  const merged = { ...RUN_DEFAULTS, fillMiB: overrides.memMiB / 2, ...cap, ...overrides }
  const flags = [merged.pattern === 'random' ? 'rand' : '', merged.autoConverge ? 'ac' : '', merged.throttleAware ? 'aware' : '',
    merged.xbzrle ? 'xbzrle' : '', merged.postcopy ? 'postcopy' : ''].filter(Boolean)
  const id = [`m${merged.memMiB}`, `h${merged.hotMiB}`, `r${merged.ratePagesPerS}`, `b${merged.maxBandwidthMbit}`, ...flags].join('-')
  return { id, ...merged }
}

/** Calibration: no dirtying and no rate limit, per RAM size — the guest's real non-zero memory and the loopback's throughput. */
export function calibrationSpec(memMiB: number): RunSpec {
  return { ...spec({ memMiB, hotMiB: 1, ratePagesPerS: 0, maxBandwidthMbit: 100_000 }), id: `calibrate-m${memMiB}` }
}

export function fullMatrix(): RunSpec[] {
  const runs: RunSpec[] = []
  for (const memMiB of [256, 512]) {
    for (const maxBandwidthMbit of [100, 400, 1000]) {
      for (const [ratePagesPerS, hotMiB] of [[2000, 16], [8000, 32], [30000, 64]] as const) {
        runs.push(spec({ memMiB, hotMiB, ratePagesPerS, maxBandwidthMbit }))
      }
    }
  }
  runs.push(
    spec({ memMiB: 512, hotMiB: 64, ratePagesPerS: 8000, maxBandwidthMbit: 400, pattern: 'random' }),
    spec({ memMiB: 512, hotMiB: 128, ratePagesPerS: 30000, maxBandwidthMbit: 1000, pattern: 'random' }),
    spec({ memMiB: 512, hotMiB: 64, ratePagesPerS: 30000, maxBandwidthMbit: 100, autoConverge: true }),
    spec({ memMiB: 512, hotMiB: 64, ratePagesPerS: 30000, maxBandwidthMbit: 400, autoConverge: true }),
    spec({ memMiB: 512, hotMiB: 64, ratePagesPerS: 30000, maxBandwidthMbit: 400, autoConverge: true, throttleAware: true }),
    spec({ memMiB: 256, hotMiB: 16, ratePagesPerS: 8000, maxBandwidthMbit: 100, xbzrle: true }),
    spec({ memMiB: 512, hotMiB: 32, ratePagesPerS: 30000, maxBandwidthMbit: 400, xbzrle: true }),
    spec({ memMiB: 512, hotMiB: 64, ratePagesPerS: 30000, maxBandwidthMbit: 100, postcopy: true }),
    spec({ memMiB: 256, hotMiB: 32, ratePagesPerS: 8000, maxBandwidthMbit: 400, postcopy: true }),
    spec({ memMiB: 1024, hotMiB: 16, ratePagesPerS: 2000, maxBandwidthMbit: 100 }),
    spec({ memMiB: 1024, hotMiB: 32, ratePagesPerS: 2000, maxBandwidthMbit: 1000 }),
    spec({ memMiB: 1024, hotMiB: 64, ratePagesPerS: 8000, maxBandwidthMbit: 400 })
  )
  return runs
}

export function quickMatrix(): RunSpec[] {
  return [
    spec({ memMiB: 256, hotMiB: 16, ratePagesPerS: 2000, maxBandwidthMbit: 400 }),
    spec({ memMiB: 256, hotMiB: 64, ratePagesPerS: 30000, maxBandwidthMbit: 100, capS: 20 }),
    spec({ memMiB: 256, hotMiB: 64, ratePagesPerS: 30000, maxBandwidthMbit: 400, autoConverge: true })
  ]
}

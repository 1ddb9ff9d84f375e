// The migrate sheet's question before start: what would this move cost with these parameters? Answered by the
// world's estimate model (the one policies use, validated against the page-level engine) at the rate the
// parameters allow on the path as the network is now, with the parameters that fit the path as defaults.
import { TIME_CAP_S_DEFAULT, type MigrationEstimateAnswer, type MigrationEstimateRequest } from '../api/commands'
import type { Datacenter } from '../cluster/datacenter-run'
import type { MigrationModel } from '../cluster/migration-model'
import type { StrategyName } from '../migration/types'

/**
 * Parameters that fit a path of `pathMbitPerS`: the engine's own moves go at the path's bandwidth, so the
 * sheet's defaults do too (the catalog's reference 100–500 Mbit/s cannot move 8 GiB inside the time cap).
 */
export function pathDefaults(strategy: StrategyName, pathMbitPerS: number): Record<string, number | boolean> {
  const rate = Math.max(1, Math.floor(pathMbitPerS))
  if (strategy === 'precopy') return { rateMinMbitPerS: rate, rateMaxMbitPerS: rate }
  if (strategy === 'precopy-qemu') return { maxBandwidthMbitPerS: rate }
  return {}
}

/** The rate the chosen parameters move pages at (Clark starts at its minimum: the first round, the bulk of the bytes). */
function parameterRate(request: MigrationEstimateRequest, suggested: Record<string, number | boolean>): number | null {
  const value = (name: string): number => {
    const given = request.parameters?.[name]
    return typeof given === 'number' ? given : suggested[name] as number
  }
  if (request.strategy === 'precopy') return value('rateMinMbitPerS')
  if (request.strategy === 'precopy-qemu') return value('maxBandwidthMbitPerS')
  return null
}

export function estimateMigration(dc: Datacenter, model: MigrationModel, request: MigrationEstimateRequest): MigrationEstimateAnswer | string {
  const path = dc.movePath(request.vmId, request.destination)
  if (typeof path === 'string') return path
  const suggested = pathDefaults(request.strategy, path.pathMbitPerS)
  const timeCapS = request.timeCapS ?? TIME_CAP_S_DEFAULT
  const wanted = parameterRate(request, suggested)
  const base = { pathMbitPerS: path.pathMbitPerS, suggested, timeCapS }
  if (wanted === null) {
    return { ...base, rateMbitPerS: path.rateMbitPerS, estimate: null, fitsTimeCap: null, note: `the estimate model covers pre-copy only; no estimate for ${request.strategy}` }
  }
  const rateMbitPerS = Math.min(wanted, path.rateMbitPerS)
  const estimate = model.estimate(path.vm, path.source, path.target, rateMbitPerS, 1)
  const totalMs = estimate.totalUs / 1000
  const assumes = request.strategy === 'precopy' ? 'every round at the minimum rate' : 'every pass at the maximum bandwidth'
  return {
    ...base, rateMbitPerS,
    estimate: { totalMs, downtimeMs: estimate.downtimeUs / 1000, bytes: estimate.bytes, rounds: estimate.rounds, converges: estimate.converges },
    fitsTimeCap: totalMs <= timeCapS * 1000,
    note: `at ${Math.round(rateMbitPerS)} Mbit/s (${assumes}, capped by the network's share now)`
  }
}

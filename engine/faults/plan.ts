// The fault schedule of a datacenter run: scripted host crashes and link degradations at fixed times, random
// host crashes drawn from the `faults` stream (so a different policy never shifts them), and crashes tied to
// a migration (the destination of the n-th migration dies halfway through it).
import type { Rng } from '../kernel/rng'
import { sToUs, type SimTimeUs } from '../kernel/time'
import type { ClusterFaultKind, FaultTiming } from './vocabulary'

export type FaultSpecLike =
  | { readonly kind: 'host-crash'; readonly host: string; readonly atH: number; readonly repairAfterH?: number }
  | { readonly kind: 'random-host-crashes'; readonly mtbfH: number; readonly repairAfterH?: number }
  | { readonly kind: 'link-degrade'; readonly host: string; readonly atH: number; readonly durationH: number; readonly factor: number }
  | { readonly kind: 'migration-dest-crash'; readonly nth: number; readonly repairAfterH?: number }

/** A fault of the vocabulary's cluster kinds at a virtual time; a degraded link heals after durationUs. */
export type TimedFault = Required<Pick<FaultTiming, 'atUs'>> & { readonly hostIndex: number } & (
  | { readonly kind: Extract<ClusterFaultKind, 'host-crash'>; readonly repairAfterUs: SimTimeUs | null; readonly cause: string }
  | { readonly kind: Extract<ClusterFaultKind, 'link-degrade'>; readonly factor: number; readonly durationUs: SimTimeUs })

export interface MigrationFault {
  /** 1-based number of the migration (in start order) whose destination crashes halfway. */
  readonly nth: number
  readonly repairAfterUs: SimTimeUs | null
}

export interface FaultPlan {
  readonly timed: readonly TimedFault[]
  readonly migrationFaults: readonly MigrationFault[]
}

function hoursToUs(hours: number | undefined): SimTimeUs | null {
  return hours === undefined ? null : sToUs(hours * 3600)
}

/** Crash times of a Poisson process with the cluster-wide rate hosts / MTBF; hosts drawn uniformly. */
function randomCrashes(
  spec: Extract<FaultSpecLike, { kind: 'random-host-crashes' }>, hostCount: number, durationUs: SimTimeUs, rng: Rng
): TimedFault[] {
  const crashes: TimedFault[] = []
  const meanGapS = (spec.mtbfH * 3600) / hostCount
  let atUs = 0
  for (let guard = 0; guard < 100_000; guard++) {
    atUs += Math.max(1, sToUs(rng.exponential(meanGapS)))
    if (atUs > durationUs) break
    crashes.push({ kind: 'host-crash', atUs, hostIndex: rng.intBelow(hostCount), repairAfterUs: hoursToUs(spec.repairAfterH), cause: 'random crash' })
  }
  return crashes
}

export function planFaults(
  specs: readonly FaultSpecLike[], hostIndexOf: (hostId: string) => number, hostCount: number, durationUs: SimTimeUs, rng: Rng
): FaultPlan {
  const timed: TimedFault[] = []
  const migrationFaults: MigrationFault[] = []
  for (const spec of specs) {
    switch (spec.kind) {
      case 'host-crash':
        timed.push({ kind: 'host-crash', atUs: sToUs(spec.atH * 3600), hostIndex: hostIndexOf(spec.host), repairAfterUs: hoursToUs(spec.repairAfterH), cause: 'scripted crash' })
        break
      case 'random-host-crashes':
        timed.push(...randomCrashes(spec, hostCount, durationUs, rng))
        break
      case 'link-degrade':
        timed.push({ kind: 'link-degrade', atUs: sToUs(spec.atH * 3600), hostIndex: hostIndexOf(spec.host), factor: spec.factor, durationUs: sToUs(spec.durationH * 3600) })
        break
      case 'migration-dest-crash':
        migrationFaults.push({ nth: spec.nth, repairAfterUs: hoursToUs(spec.repairAfterH) })
        break
    }
  }
  timed.sort((a, b) => a.atUs - b.atUs || a.hostIndex - b.hostIndex)
  return { timed, migrationFaults }
}

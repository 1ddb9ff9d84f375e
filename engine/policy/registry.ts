// Policies by name: the built-ins, any `<detector>-<selector>` combination of the Beloglazov parts, and plugins
// registered at run time. Each built-in's parameters are a zod schema (param-schema.ts): defaults, bounds,
// choices, units and descriptions in one place, coerced from strings, and sent to the UI through the catalog.
import { createBeloglazovPolicy, DEFAULT_BELOGLAZOV, type BeloglazovParams } from './beloglazov'
import { createConsolidatePolicy, DEFAULT_CONSOLIDATE, type ConsolidateParams } from './consolidate'
import { DEFAULT_SAFETY, DETECTOR_NAMES, type DetectorName } from './detectors'
import { createDrsPolicy, DEFAULT_DRS, type DrsParams } from './drs'
import { createSandpiperPolicy, DEFAULT_SANDPIPER, type SandpiperParams } from './sandpiper'
import { SELECTOR_NAMES, type SelectorName } from './selection'
import { EMPTY_OUTPUT, type ParamValue, type Policy, type PolicyFactory, type PolicyInfo } from './types'
import {
  booleanParam, choiceParam, numberParam, paramInfos, parsePolicyParams, PolicyParamError, policyParamSchema, schemaFromInfos,
  type PolicyParamSchema
} from './param-schema'

export { PolicyParamError }

/** Declared defaults overlaid with `given` (coerced and checked by the list's zod schema); unknown names are errors. */
export function resolveParams(info: PolicyInfo, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  return parsePolicyParams(info.name, schemaFromInfos(info.params), given)
}

/** A built-in policy: its parameters are a zod schema; the catalog's list is read from it. */
function schemaFactory<P>(name: string, summary: string, schema: PolicyParamSchema, build: (params: P) => Policy): PolicyFactory {
  const info: PolicyInfo = { name, summary, params: paramInfos(schema) }
  return { info, create: (given) => build(parsePolicyParams(name, schema, given) as unknown as P) }
}

const FRACTION = 'fraction (0–1)'

const NONE = schemaFactory('none', 'no moves: the baseline every policy is compared with', policyParamSchema({}),
  () => ({ name: 'none', decide: () => EMPTY_OUTPUT }))

/** The Beloglazov & Buyya parameters; the safety parameter's meaning and default depend on the detector. */
export function beloglazovParamSchema(detector: DetectorName): PolicyParamSchema {
  return policyParamSchema({
    safety: detector === 'thr'
      ? numberParam(DEFAULT_SAFETY.thr, { description: 'static CPU utilisation threshold', unit: FRACTION, min: 0, max: 1 })
      : numberParam(DEFAULT_SAFETY[detector], { description: `safety parameter s of the ${detector.toUpperCase()} detector (higher = fewer hosts overloaded)`, min: 0 }),
    underloadThreshold: numberParam(DEFAULT_BELOGLAZOV.underloadThreshold, { description: 'hosts below this CPU utilisation are tried for consolidation (1 = all, CloudSim)', unit: FRACTION, min: 0, max: 1 }),
    underloadAttemptsMax: numberParam(DEFAULT_BELOGLAZOV.underloadAttemptsMax, { description: 'hosts tried per tick by the under-load pass, least utilised first', unit: 'hosts', min: 0, integer: true }),
    switchOffIdle: booleanParam(DEFAULT_BELOGLAZOV.switchOffIdle, { description: 'power off hosts without VMs' }),
    powerOnHosts: booleanParam(DEFAULT_BELOGLAZOV.powerOnHosts, { description: 'let PABFD boot an off host when nothing else fits' }),
    plainLeastSquares: booleanParam(false, { description: 'LR/LRR: fit ordinary least squares like CloudSim 3.0.3 (its loess weights never apply), not (robust) loess' })
  })
}

function beloglazovFactory(detector: DetectorName, selection: SelectorName): PolicyFactory {
  const name = `${detector}-${selection}`
  return schemaFactory<Omit<BeloglazovParams, 'detector' | 'selection'>>(name,
    `Beloglazov & Buyya: ${detector.toUpperCase()} overload detection, ${selection.toUpperCase()} selection, PABFD, under-load consolidation, idle hosts off`,
    beloglazovParamSchema(detector), (p) => createBeloglazovPolicy(name, { ...p, detector, selection }))
}

export const DRS_PARAMS = policyParamSchema({
  threshold: numberParam(DEFAULT_DRS.threshold, { description: 'migration threshold: 1 (mandatory moves only) … 5 (aggressive)', min: 1, max: 5, integer: true }),
  automation: choiceParam(['manual', 'partial', 'full'], DEFAULT_DRS.automation, { description: 'automation level: manual and partial recommend, full executes' }),
  minGoodness: numberParam(DEFAULT_DRS.minGoodness, { description: 'smallest imbalance (SD) reduction × √hosts worth a move', min: 0 }),
  costBenefit: booleanParam(DEFAULT_DRS.costBenefit, { description: 'weigh the migration estimate against the benefit' }),
  horizonIntervals: numberParam(DEFAULT_DRS.horizonIntervals, { description: 'how long a benefit is assumed to last', unit: 'policy intervals', min: 0 }),
  maxMovesPerPass: numberParam(DEFAULT_DRS.maxMovesPerPass, { description: 'cap on moves per pass', unit: 'moves', min: 0, integer: true }),
  breadth: numberParam(DEFAULT_DRS.breadth, { description: 'most/least loaded hosts examined per step and resource', unit: 'hosts', min: 1, integer: true }),
  memWeight: numberParam(DEFAULT_DRS.memWeight, { description: 'weight of memory in the imbalance (0 = CPU only)', min: 0 }),
  netWeight: numberParam(DEFAULT_DRS.netWeight, { description: 'weight of the network in the imbalance (0 = not balanced)', min: 0 })
})
const DRS = schemaFactory<DrsParams>('drs', 'VMware DRS classic: SD of host load, threshold 1–5, MinGoodness and cost/benefit gate, automation levels',
  DRS_PARAMS, createDrsPolicy)

export const SANDPIPER_PARAMS = policyParamSchema({
  cpuThreshold: numberParam(DEFAULT_SANDPIPER.cpuThreshold, { description: 'CPU hotspot threshold', unit: FRACTION, min: 0, max: 1 }),
  memThreshold: numberParam(DEFAULT_SANDPIPER.memThreshold, { description: 'memory hotspot threshold', unit: FRACTION, min: 0, max: 1 }),
  netThreshold: numberParam(DEFAULT_SANDPIPER.netThreshold, { description: 'network hotspot threshold', unit: FRACTION, min: 0, max: 1 }),
  k: numberParam(DEFAULT_SANDPIPER.k, { description: 'breaches needed (k of the last n observations)', unit: 'observations', min: 1, integer: true, notAbove: 'n' }),
  n: numberParam(DEFAULT_SANDPIPER.n, { description: 'observation window n', unit: 'observations', min: 1, integer: true }),
  maxMovesPerPass: numberParam(DEFAULT_SANDPIPER.maxMovesPerPass, { description: 'cap on moves per pass', unit: 'moves', min: 0, integer: true }),
  swaps: booleanParam(DEFAULT_SANDPIPER.swaps, { description: 'try swaps when no host is cool' })
})
const SANDPIPER = schemaFactory<SandpiperParams>('sandpiper', 'Sandpiper: k-of-n + AR(1) hotspots, volume metric, highest volume-to-size first, swaps',
  SANDPIPER_PARAMS, createSandpiperPolicy)

export const CONSOLIDATE_PARAMS = policyParamSchema({
  targetUtil: numberParam(DEFAULT_CONSOLIDATE.targetUtil, { description: 'target host utilisation', unit: FRACTION, min: 0, max: 1 }),
  tolerance: numberParam(DEFAULT_CONSOLIDATE.tolerance, { description: 'band half-width around the target', unit: FRACTION, min: 0, max: 1 }),
  onWindowS: numberParam(DEFAULT_CONSOLIDATE.onWindowS, { description: 'time above the band before relieving', unit: 's', min: 0 }),
  offWindowS: numberParam(DEFAULT_CONSOLIDATE.offWindowS, { description: 'time of cluster utilisation below the band before packing', unit: 's', min: 0 }),
  maxDrainsPerCycle: numberParam(DEFAULT_CONSOLIDATE.maxDrainsPerCycle, { description: 'hosts emptied per tick', unit: 'hosts', min: 0, integer: true }),
  predictAhead: booleanParam(DEFAULT_CONSOLIDATE.predictAhead, { description: 'power on ahead of the demand trend' }),
  minHostsOn: numberParam(DEFAULT_CONSOLIDATE.minHostsOn, { description: 'hosts never powered off', unit: 'hosts', min: 0, integer: true })
})
const CONSOLIDATE = schemaFactory<ConsolidateParams>('consolidate',
  'DPM-like: keep hosts within 45–81 %, pack and power off after 40 min low, power on after 5 min high or ahead of demand',
  CONSOLIDATE_PARAMS, createConsolidatePolicy)

export const BUILTIN_POLICY_NAMES = ['none', 'thr-mmt', 'iqr-mmt', 'mad-mmt', 'lr-mmt', 'lrr-mmt', 'drs', 'sandpiper', 'consolidate'] as const

const COMPOSITE = new RegExp(`^(${DETECTOR_NAMES.join('|')})-(${SELECTOR_NAMES.join('|')})$`)

export class PolicyRegistry {
  private readonly factories = new Map<string, PolicyFactory>()

  register(factory: PolicyFactory): void {
    if (this.resolve(factory.info.name) !== undefined) throw new PolicyParamError(`policy ${factory.info.name} is already registered`)
    this.factories.set(factory.info.name, factory)
  }

  has(name: string): boolean {
    return this.resolve(name) !== undefined
  }

  /** Registered policies: built-ins in their fixed order, then plugins by name. */
  list(): PolicyInfo[] {
    const builtins = BUILTIN_POLICY_NAMES.map((name) => this.resolve(name) as PolicyFactory)
    const plugins = [...this.factories.keys()].filter((name) => !(BUILTIN_POLICY_NAMES as readonly string[]).includes(name)).sort()
    return [...builtins.map((f) => f.info), ...plugins.map((name) => (this.factories.get(name) as PolicyFactory).info)]
  }

  info(name: string): PolicyInfo | undefined {
    return this.resolve(name)?.info
  }

  create(name: string, params: Readonly<Record<string, ParamValue>> = {}): Policy {
    const factory = this.resolve(name)
    if (factory === undefined) throw new PolicyParamError(`unknown policy ${JSON.stringify(name)} (known: ${this.list().map((p) => p.name).join(', ')})`)
    return factory.create(params)
  }

  private resolve(name: string): PolicyFactory | undefined {
    const registered = this.factories.get(name)
    if (registered !== undefined) return registered
    const match = COMPOSITE.exec(name)
    return match === null ? undefined : beloglazovFactory(match[1] as DetectorName, match[2] as SelectorName)
  }
}

export function createPolicyRegistry(): PolicyRegistry {
  const registry = new PolicyRegistry()
  for (const factory of [NONE, DRS, SANDPIPER, CONSOLIDATE]) registry.register(factory)
  return registry
}

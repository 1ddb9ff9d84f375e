// Policies by name: the built-ins, any `<detector>-<selector>` combination of the Beloglazov parts, and plugins
// registered at run time. Parameters are checked against each policy's declared list (name, type, bounds,
// choices) and coerced from strings, so a CLI `--param k=v` and a scenario's `policy.params` go the same way.
import { createBeloglazovPolicy, DEFAULT_BELOGLAZOV } from './beloglazov'
import { createConsolidatePolicy, DEFAULT_CONSOLIDATE } from './consolidate'
import { DEFAULT_SAFETY, DETECTOR_NAMES, type DetectorName } from './detectors'
import { createDrsPolicy, DEFAULT_DRS } from './drs'
import { createSandpiperPolicy, DEFAULT_SANDPIPER } from './sandpiper'
import { SELECTOR_NAMES, type SelectorName } from './selection'
import { EMPTY_OUTPUT, type ParamInfo, type ParamValue, type Policy, type PolicyFactory, type PolicyInfo } from './types'

export class PolicyParamError extends RangeError {
  override readonly name = 'PolicyParamError'
}

function coerce(info: ParamInfo, raw: ParamValue, policy: string): ParamValue {
  const where = `policy ${policy}, parameter ${info.name}`
  if (typeof info.defaultValue === 'number') {
    const value = typeof raw === 'number' ? raw : Number(raw)
    if (typeof raw === 'boolean' || !Number.isFinite(value)) throw new PolicyParamError(`${where}: expected a number, got ${JSON.stringify(raw)}`)
    if (info.min !== undefined && value < info.min) throw new PolicyParamError(`${where}: must be at least ${info.min}, got ${value}`)
    if (info.max !== undefined && value > info.max) throw new PolicyParamError(`${where}: must be at most ${info.max}, got ${value}`)
    return value
  }
  if (typeof info.defaultValue === 'boolean') {
    if (typeof raw === 'boolean') return raw
    if (raw === 'true' || raw === 'false') return raw === 'true'
    throw new PolicyParamError(`${where}: expected true or false, got ${JSON.stringify(raw)}`)
  }
  const text = String(raw)
  if (info.choices !== undefined && !info.choices.includes(text)) throw new PolicyParamError(`${where}: expected one of ${info.choices.join(', ')}, got ${JSON.stringify(raw)}`)
  return text
}

/** Declared defaults overlaid with `given` (coerced and checked); unknown names are errors. */
export function resolveParams(info: PolicyInfo, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  const resolved: Record<string, ParamValue> = {}
  for (const param of info.params) resolved[param.name] = param.defaultValue
  for (const key of Object.keys(given).sort()) {
    const param = info.params.find((p) => p.name === key)
    if (param === undefined) {
      const known = info.params.map((p) => p.name).join(', ') || 'none'
      throw new PolicyParamError(`policy ${info.name}: unknown parameter ${key} (known: ${known})`)
    }
    resolved[key] = coerce(param, given[key], info.name)
  }
  return resolved
}

function numberParam(name: string, defaultValue: number, description: string, min?: number, max?: number): ParamInfo {
  return { name, defaultValue, description, min, max }
}

const NONE_INFO: PolicyInfo = { name: 'none', summary: 'no moves: the baseline every policy is compared with', params: [] }
const NONE: PolicyFactory = {
  info: NONE_INFO,
  create: (params) => { resolveParams(NONE_INFO, params); return { name: 'none', decide: () => EMPTY_OUTPUT } }
}

function beloglazovFactory(detector: DetectorName, selection: SelectorName): PolicyFactory {
  const name = `${detector}-${selection}`
  const info: PolicyInfo = {
    name,
    summary: `Beloglazov & Buyya: ${detector.toUpperCase()} overload detection, ${selection.toUpperCase()} selection, PABFD, under-load consolidation, idle hosts off`,
    params: [
      numberParam('safety', DEFAULT_SAFETY[detector], detector === 'thr' ? 'static utilisation threshold' : 'safety parameter s', 0),
      numberParam('underloadThreshold', DEFAULT_BELOGLAZOV.underloadThreshold, 'hosts below this CPU utilisation are tried for consolidation (1 = all, CloudSim)', 0, 1),
      numberParam('underloadAttemptsMax', DEFAULT_BELOGLAZOV.underloadAttemptsMax, 'hosts tried per tick by the under-load pass, least utilised first', 0),
      { name: 'switchOffIdle', defaultValue: DEFAULT_BELOGLAZOV.switchOffIdle, description: 'power off hosts without VMs' },
      { name: 'powerOnHosts', defaultValue: DEFAULT_BELOGLAZOV.powerOnHosts, description: 'let PABFD boot an off host when nothing else fits' },
      { name: 'plainLeastSquares', defaultValue: false, description: 'LR/LRR: fit ordinary least squares like CloudSim 3.0.3 (its loess weights never apply), not (robust) loess' }
    ]
  }
  return {
    info,
    create: (params) => {
      const p = resolveParams(info, params)
      return createBeloglazovPolicy(name, {
        detector, selection, safety: p.safety as number, underloadThreshold: p.underloadThreshold as number,
        underloadAttemptsMax: p.underloadAttemptsMax as number,
        switchOffIdle: p.switchOffIdle as boolean, powerOnHosts: p.powerOnHosts as boolean,
        plainLeastSquares: p.plainLeastSquares as boolean
      })
    }
  }
}

/**
 * A factory whose parameters are exactly the fields of `defaults` (each described in `describe`, with optional
 * bounds or choices), resolved and handed to `build`.
 */
function factoryFromDefaults<P extends object>(
  name: string, summary: string, defaults: P, describe: Readonly<Record<keyof P & string, string>>,
  build: (params: P) => Policy, extra: Partial<Record<keyof P & string, Partial<ParamInfo>>> = {}
): PolicyFactory {
  const params = Object.entries(defaults).map(([key, defaultValue]) => ({
    name: key, defaultValue: defaultValue as ParamValue, description: describe[key as keyof P & string], ...extra[key as keyof P & string]
  }))
  const info: PolicyInfo = { name, summary, params }
  return { info, create: (given) => build(resolveParams(info, given) as unknown as P) }
}

const DRS = factoryFromDefaults('drs', 'VMware DRS classic: SD of host load, threshold 1–5, MinGoodness and cost/benefit gate, automation levels',
  DEFAULT_DRS, {
    threshold: 'migration threshold 1 (mandatory only) … 5 (aggressive)', automation: 'manual/partial recommend, full executes',
    minGoodness: 'smallest SD reduction × √hosts worth a move', costBenefit: 'weigh the migration estimate against the benefit',
    horizonIntervals: 'policy intervals a benefit is assumed to last', maxMovesPerPass: 'cap on moves per pass',
    breadth: 'most/least loaded hosts examined per step and resource',
    memWeight: 'weight of memory in the imbalance (0 = CPU only)', netWeight: 'weight of the network in the imbalance (0 = not balanced)'
  }, createDrsPolicy, { threshold: { min: 1, max: 5 }, automation: { choices: ['manual', 'partial', 'full'] }, memWeight: { min: 0 }, netWeight: { min: 0 } })

const SANDPIPER = factoryFromDefaults('sandpiper', 'Sandpiper: k-of-n + AR(1) hotspots, volume metric, highest volume-to-size first, swaps',
  DEFAULT_SANDPIPER, {
    cpuThreshold: 'CPU hotspot threshold', memThreshold: 'memory hotspot threshold', netThreshold: 'network hotspot threshold',
    k: 'breaches needed …', n: '… in the last n observations', maxMovesPerPass: 'cap on moves per pass', swaps: 'try swaps when no host is cool'
  }, createSandpiperPolicy)

const CONSOLIDATE = factoryFromDefaults('consolidate',
  'DPM-like: keep hosts within 45–81 %, pack and power off after 40 min low, power on after 5 min high or ahead of demand',
  DEFAULT_CONSOLIDATE, {
    targetUtil: 'target utilisation', tolerance: 'band half-width', onWindowS: 'seconds above the band before relieving',
    offWindowS: 'seconds of cluster utilisation below the band before packing', maxDrainsPerCycle: 'hosts emptied per tick',
    predictAhead: 'power on ahead of the demand trend', minHostsOn: 'hosts never powered off'
  }, createConsolidatePolicy)

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

// The datacenter scenario format: a zod schema that is both the validator and the source of the TypeScript
// types and of the published JSON Schema (`cutover schema`). Objects are strict, so a misspelt field is an error.
import { z } from 'zod'
import { COMPAT_SWITCHES, COMPAT_SWITCH_DOCS } from '../cluster/compat'

const positive = z.number().positive()
const nonNegative = z.number().nonnegative()
const fraction = z.number().min(0).max(1)
const count = z.int().positive()

/**
 * Size limits, checked before anything is built: a scenario allocates per host, per VM and per demand sample
 * (VMs × durationH × 3600 / sampleIntervalS Float32 values), so an absurd `count` or duration must be refused
 * by the validator instead of allocating until the process dies.
 */
export const SCENARIO_LIMITS = {
  hostsTotalMax: 10_000,
  vmsTotalMax: 100_000,
  /** One leap year of simulated time. */
  durationHMax: 8784,
  /** 200 MB of Float32 demand samples. */
  demandSamplesMax: 50_000_000
} as const

const hostCount = count.max(SCENARIO_LIMITS.hostsTotalMax)
const vmCount = count.max(SCENARIO_LIMITS.vmsTotalMax)

export const powerModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('linear'),
    idleW: nonNegative.describe('power at 0 % CPU, watts'),
    maxW: positive.describe('power at 100 % CPU, watts')
  }),
  z.strictObject({
    kind: z.literal('table'),
    wattsAt: z.array(nonNegative).length(11).describe('power at 0 %, 10 %, …, 100 % CPU (SPECpower style), watts')
  }),
  z.strictObject({
    kind: z.literal('preset'),
    name: z.enum(['hp-proliant-ml110-g4', 'hp-proliant-ml110-g5', 'ibm-x3550-xeon-x5670', 'ibm-x3550-xeon-x5675'])
  })
]).describe('host power model: linear idle→max, an 11-point table, or a named SPECpower table')

export const hostGroupSchema = z.strictObject({
  name: z.string().min(1).optional().describe('group name usable in rules; hosts are numbered host-0001… in file order'),
  count: hostCount.default(1),
  cores: count.max(4096),
  mipsPerCore: positive,
  memGiB: positive,
  nicMbitPerS: positive.default(1000),
  power: powerModelSchema.default({ kind: 'linear', idleW: 100, maxW: 250 }),
  bootS: nonNegative.default(120).describe('time from power-on to accepting VMs'),
  rack: z.string().min(1).optional(),
  hostsPerRack: count.optional().describe('split the group into racks of this many hosts, named RACK-01, RACK-02… (RACK: rack, else the group name)')
})

export const cpuModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), util: fraction }),
  z.strictObject({ kind: z.literal('uniform'), minUtil: fraction, maxUtil: fraction }),
  z.strictObject({
    kind: z.literal('diurnal'), meanUtil: fraction, amplitude: fraction.default(0.3),
    peakHour: z.number().min(0).max(24).default(14), noise: fraction.default(0.05)
  }),
  z.strictObject({
    kind: z.literal('planetlab'),
    meanUtil: fraction.default(0.12).describe('median of the per-VM mean utilisation'),
    spread: nonNegative.default(0.9).describe('lognormal sigma of per-VM means'),
    burstiness: fraction.default(0.35).describe('share of variance that is short-term noise')
  }),
  z.strictObject({
    kind: z.literal('trace'),
    samplesPct: z.array(z.number().min(0).max(100)).min(1).describe('one utilisation sample per sample interval, percent'),
    loop: z.boolean().default(true)
  }),
  z.strictObject({
    kind: z.literal('replay'),
    first: z.int().nonnegative().default(0).describe('VM j of the group replays trace first + j of the scenario\'s trace pack (name order)')
  })
]).describe('CPU demand as a time series of utilisation (fraction of the VM\'s vCPUs × MIPS)')

export const vmGroupSchema = z.strictObject({
  name: z.string().min(1).optional().describe('group name usable in rules'),
  count: vmCount.default(1),
  vcpus: count.max(4096).default(1),
  mipsPerVcpu: positive,
  memMiB: positive,
  cpu: cpuModelSchema,
  dirtyMiBPerS: nonNegative.default(20).describe('page-dirtying rate at 100 % CPU; scales with utilisation'),
  wwsMiB: nonNegative.default(16).describe('writable working set: re-dirtied pages that only stop-and-copy can send'),
  netMbitPerS: nonNegative.default(50).describe('network demand at 100 % CPU'),
  haPriority: z.enum(['disabled', 'low', 'medium', 'high']).default('medium'),
  automation: z.enum(['default', 'manual', 'disabled']).default('default')
    .describe('per-VM override: manual = recommend only, disabled = never moved by policies (still counts as load)'),
  downtimeBudgetMs: positive.default(1000)
})

const ruleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.enum(['vm-affinity', 'vm-anti-affinity']),
    name: z.string().min(1).optional(),
    vms: z.array(z.string().min(1)).min(1).describe('VM ids or VM group names'),
    hard: z.boolean().default(true)
  }),
  z.strictObject({
    kind: z.literal('vm-host'),
    name: z.string().min(1).optional(),
    mode: z.enum(['must', 'should', 'must-not', 'should-not']),
    vms: z.array(z.string().min(1)).min(1),
    hosts: z.array(z.string().min(1)).min(1)
  })
])

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('host-crash'), host: z.string(), atH: nonNegative, repairAfterH: positive.optional() }),
  z.strictObject({ kind: z.literal('random-host-crashes'), mtbfH: positive, repairAfterH: positive.optional() }),
  z.strictObject({ kind: z.literal('link-degrade'), host: z.string(), atH: nonNegative, durationH: positive, factor: z.number().gt(0).max(1) }),
  z.strictObject({ kind: z.literal('migration-dest-crash'), nth: count, repairAfterH: positive.optional() })
])

export const tracesSchema = z.strictObject({
  file: z.string().min(1).optional().describe('trace pack file (text or .gz), relative to the scenario file; the CLI and the app read it into `pack`'),
  pack: z.string().min(1).optional().describe('the trace pack text itself (cutover-traces v1)')
}).describe('real CPU-utilisation traces that `replay` VMs play back')

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  durationH: positive.max(SCENARIO_LIMITS.durationHMax).default(24),
  sampleIntervalS: z.int().positive().default(300).describe('step of the CPU demand series'),
  initialPlacement: z.enum(['spread', 'pack']).default('spread'),
  traces: tracesSchema.optional(),
  hosts: z.array(hostGroupSchema).min(1).max(SCENARIO_LIMITS.hostsTotalMax),
  vms: z.array(vmGroupSchema).min(1).max(SCENARIO_LIMITS.vmsTotalMax),
  rules: z.array(ruleSchema).default([]),
  maintenance: z.array(z.strictObject({
    host: z.string(), atH: nonNegative, deadlineMin: positive.default(60),
    returnAfterH: positive.optional().describe('leave maintenance this long after it began'),
    returnVms: z.boolean().default(false).describe('on exit, move the evacuated VMs back')
  })).default([]),
  faults: z.array(faultSchema).default([]),
  policy: z.strictObject({
    name: z.string().default('none'),
    intervalS: z.int().positive().default(300),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({})
  }).default({ name: 'none', intervalS: 300, params: {} }),
  limits: z.strictObject({
    migrationsPerHost: count.default(2),
    migrationsPerCluster: count.default(16),
    movesPerCycleMax: count.default(100),
    cooldownMin: nonNegative.default(30),
    pingPongWindowH: nonNegative.default(2)
  }).default({ migrationsPerHost: 2, migrationsPerCluster: 16, movesPerCycleMax: 100, cooldownMin: 30, pingPongWindowH: 2 }),
  migration: z.strictObject({
    bandwidthShare: z.number().gt(0).max(1).default(0.5).describe('share of every link (host NIC, ToR uplink) that migrations may use'),
    resumeOverheadMs: nonNegative.default(30),
    maxRounds: count.default(30),
    stopBelowKiB: nonNegative.default(256),
    maxSentFactor: positive.default(3),
    cpuOverheadFraction: fraction.default(0.1).describe('share of a migrating VM\'s CPU lost (PDM)')
  }).default({ bandwidthShare: 0.5, resumeOverheadMs: 30, maxRounds: 30, stopBelowKiB: 256, maxSentFactor: 3, cpuOverheadFraction: 0.1 }),
  compat: z.strictObject({
    mode: z.enum(['faithful', 'cloudsim']).default('faithful')
      .describe('faithful: memory enforced, pre-copy on the network, boot time; cloudsim: CloudSim 3.0.3\'s semantics (every switch on)'),
    switches: z.strictObject(Object.fromEntries(COMPAT_SWITCHES.map((name) => [name, z.boolean().optional().describe(COMPAT_SWITCH_DOCS[name])])))
      .default({}).describe('per-quirk overrides on top of the mode')
  }).default({ mode: 'faithful', switches: {} }),
  network: z.strictObject({
    torUplinkMbitPerS: positive.default(40_000).describe('capacity of each rack\'s top-of-rack ↔ aggregation link (racks from hosts[].rack)')
  }).default({ torUplinkMbitPerS: 40_000 })
    .describe('the migration network: host NIC → top-of-rack switch → aggregation; migrations share it max-min fairly'),
  ha: z.strictObject({
    detectionS: nonNegative.default(15),
    restartS: nonNegative.default(60)
  }).default({ detectionS: 15, restartS: 60 }),
  clients: z.strictObject({
    enabled: z.boolean().default(true).describe('in the app (clusters the LAN emulates), each rack\'s client sends web requests'),
    racksMax: z.int().min(0).max(32).default(8).describe('racks that get a client'),
    thinkMs: positive.max(60_000).default(50).describe('pause between a reply and the next request (±50 %); a client outage includes it')
  }).default({ enabled: true, racksMax: 8, thinkMs: 50 }).describe('client traffic in the interactive world: the cutover gap is measured, not assumed')
})

export type Scenario = z.output<typeof scenarioSchema>
export type ScenarioInput = z.input<typeof scenarioSchema>
export type HostGroup = z.output<typeof hostGroupSchema>
export type VmGroup = z.output<typeof vmGroupSchema>
export type CpuModel = z.output<typeof cpuModelSchema>
export type PowerModelSpec = z.output<typeof powerModelSchema>
export type RuleSpec = Scenario['rules'][number]
export type FaultSpec = Scenario['faults'][number]
export type MaintenanceSpec = Scenario['maintenance'][number]

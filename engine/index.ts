// The engine's one front door. main/, cli/ and bench/ import the engine only from here (a lint rule enforces
// it; tests may go deeper). Three façades, by what a caller wants to run:
//   - the interactive world (world/interactive-world.ts): a scenario the app plays, commands, snapshots, records;
//   - a datacenter run (cluster/datacenter-run.ts): a scenario + policy for H hours → the run summary;
//   - the migration lab (migration/lab.ts): one VM between two hosts → the migration result, round by round.
// Beside them: the contract's DTOs (api/), the vocabularies (strategies, stages, faults, policies, workloads),
// the statistics every surface shows, the scenario schema, and the kernel/memory/net building blocks the
// benchmarks measure.

// ── Façades ──────────────────────────────────────────────────────────────────────────────────────────────────
export { createWorld, InvalidScenario, LAN_HOSTS_MAX, REPAIR_AFTER_S, type World, type WorldEvent, type WorldHalt } from './world/interactive-world'
export {
  createDatacenter, runDatacenter, estimateModelFor, pageMigrationModelFor,
  type Datacenter, type DatacenterOptions, type HostSnapshot, type DcEvent, type MigrationModel, type MigrationEstimate
} from './cluster/datacenter-run'
export type { MigrationStart } from './cluster/migration-model'
export {
  COMPAT_SWITCHES, COMPAT_SWITCH_DOCS, resolveCompat, switchesOn, FAITHFUL,
  type CompatSettings, type CompatSwitch, type CompatMode
} from './cluster/compat'
export {
  runMigrationLab, DEFAULT_LAB, REAL_BYTES_UP_TO, labLanSpec,
  type LabConfig, type LabResult, type LabRound, type LabWorld, type LabEvent
} from './migration/lab'
export { runMultiMigrationLab, type MultiLabConfig, type MultiLabResult, type MultiLabVmResult } from './migration/lab-multi'
export { ENGINE_VERSION } from './version'

// ── The contract's DTOs: commands in, snapshots and history records out ──────────────────────────────────────
export * from './api/names'
export * from './api/commands'
export * from './api/catalog'
export { engineCatalog } from './catalog'
export { metricCatalog, metricInfo, METRIC_UNITS, METRIC_DIRECTIONS, type MetricInfo, type MetricName } from './api/metrics'
export * from './api/records'
export * from './api/snapshot'
export * from './api/rounds'
export { WorldRecords, ESTIMATE_STRATEGY, type WorldRecordsOptions } from './world/records'
export { LabMigrationLog } from './world/lab-records'

// ── Migration vocabulary ─────────────────────────────────────────────────────────────────────────────────────
export * from './migration/types'
export * from './migration/faults'
export * from './faults/vocabulary'
export { STRATEGY_STAGES } from './migration/strategy-stages'
export { RunningCopiesObserver } from './migration/copy-observer'

// ── Datacenter: scenarios, policies, metrics ─────────────────────────────────────────────────────────────────
export * from './scenario/schema'
export { validateScenario, scenarioSizeErrors, scenarioJsonSchema, type ScenarioValidation } from './scenario/validate'
export { formatPath, formatIssue, schemaIssues } from './api/issues'
export {
  formatTracePack, parseTracePack, parsePlanetlabFile, parsePct, compareBytes, cloudsimVmType, TraceFormatError,
  type TracePack, type TraceSeries
} from './scenario/trace-pack'
export { cloudsimPlanetlabScenario, cloudsimTypeCounts, formatScenarioJson, CLOUDSIM_VM_TYPES, CLOUDSIM_HOSTS } from './scenario/cloudsim-setup'
export { createPolicyRegistry, resolveParams, PolicyParamError, PolicyRegistry, BUILTIN_POLICY_NAMES } from './policy/registry'
export type { ParamValue, ParamInfo, PolicyInfo, PolicyFactory, Policy } from './policy/types'
// PABFD placement on a hand-built view: the placement benchmark times the power-band index against the scan.
export type { ClusterView } from './policy/types'
export { Plan } from './policy/plan'
export { pabfdHost, pabfdHostByScan, type PabfdOptions } from './policy/placement'
export { powerAtW, linearPowerTable, POWER_PRESETS_W } from './cluster/power'
export { RUN_SUMMARY_FIELDS, NUMERIC_SUMMARY_FIELDS, type RunSummary } from './metrics/summary'
export * from './metrics/stats'

// ── Workloads ────────────────────────────────────────────────────────────────────────────────────────────────
export * from './workload'

// ── Building blocks (kernel, paged memory, LAN) for benchmarks and embedders ────────────────────────────────
export * from './kernel/time'
export { Simulation, type Listener } from './kernel/simulation'
export { deriveStream } from './kernel/rng'
export {
  MIB, GIB, MEM_BYTES_MAX, MEM_BYTES_MIN, geometryProblem, DirtyBitmap, GuestMemory, WwsProbe
} from './memory'
export { Lan, maxMinFairShare, twoTierLan, type NetEvent } from './net/index'

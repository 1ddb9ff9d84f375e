// Public surface of workloads: specs, the Workload contract, the factory and the simulation driver.
export * from './spec'
export { RateAccumulator, type Workload, type TickInput, type TickReport } from './workload'
export { createWorkload, checkWorkloadSpec, resolvedWorkloadSpec } from './factory'
export { WORKLOAD_RATE_LIMITS } from './schema'
export { parseWriteTrace, type WriteTrace, type TraceParseResult } from './generators/trace'
export { IDLE_DEFAULTS } from './generators/idle'
export { WEB_DEFAULTS } from './generators/web'
export { GAME_DEFAULTS } from './generators/game'
export { OLTP_DEFAULTS } from './generators/oltp'
export {
  WorkloadDriver, attachWorkload, WORKLOAD_TICK_US_DEFAULT, WORKLOAD_TICK_PRIORITY,
  type WorkloadDriverOptions, type AppliedTick
} from './driver'
export { measureWws, type WwsMeasurementOptions, type WwsMeasurement, type WwsSampledEvent } from './measure'
export { WORKLOAD_PRESET_NAMES, isWorkloadPresetName, workloadPreset, phasedTraceCsv, type WorkloadPreset, type WorkloadPresetName } from './presets'

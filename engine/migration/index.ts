// Public surface of the migration engine.
export * from './types'
export * from './faults'
export { Migration, type MigrationSetup } from './migration'
export { FixedRateChannel, type BulkChannel } from './channel'
export type { MigratableVm, MigrationHosts } from './vm-handle'
export { WorkloadVm } from './workload-vm'
export { runMigrationLab, DEFAULT_LAB, type LabConfig, type LabResult, type LabRound } from './lab'
export { clarkNextStep } from './strategies/precopy-clark'

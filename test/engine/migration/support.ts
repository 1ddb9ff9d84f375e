// Builders for migration tests: a small lab config with overrides.
import { DEFAULT_LAB, DEFAULT_PARAMS, type LabConfig, type MigrationParams } from '../../../engine/migration'

export function labConfig(overrides: Omit<Partial<LabConfig>, 'params'> & { params?: Partial<MigrationParams> } = {}): LabConfig {
  const { params, ...rest } = overrides
  return {
    ...DEFAULT_LAB, memMiB: 32, warmupS: 0.5, ...rest,
    params: { ...DEFAULT_PARAMS, cancelAfterUs: 60_000_000, ...params }
  }
}

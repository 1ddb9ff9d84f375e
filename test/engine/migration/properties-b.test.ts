// Half of the 2,000-configuration migration property test (two files so Vitest runs them on both cores):
// no lost writes, never two running copies, every run ends; completed runs verified byte for byte.
import { describe, it } from 'vitest'
import { checkMany } from './properties'

describe('migration properties (b)', () => {
  it('never loses a write, never runs two copies, always ends (1,000 random configurations; MIGRATION_PROP_RUNS overrides)', () => {
    checkMany(1000, 52116202)
  }, 900_000)
})

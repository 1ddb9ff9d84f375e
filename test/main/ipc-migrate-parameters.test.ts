// Goal: the IPC contract refuses migrate parameters the engine would silently ignore (unknown or misspelt keys)
// or that are out of the migrate sheet's range, and still accepts what the sheet sends.
// Method: parse commands with the contract's engineCommandSchema (the schema sim:command validates with).
import { describe, expect, it } from 'vitest'
import { engineCommandSchema } from '../../main/ipc/contract'

const migrate = (parameters: unknown) => ({ kind: 'migrate', vmId: 'vm-0001', destination: 'host-0002', strategy: 'precopy', parameters })

describe('migrate parameters over IPC', () => {
  it('accepts the migrate sheet\'s parameters', () => {
    expect(engineCommandSchema.safeParse(migrate({ rateMinMbitPerS: 100, rateMaxMbitPerS: 500 })).success).toBe(true)
    expect(engineCommandSchema.safeParse(migrate({ maxBandwidthMbitPerS: 1000, downtimeLimitMs: 300, autoConverge: true })).success).toBe(true)
    expect(engineCommandSchema.safeParse(migrate(undefined)).success).toBe(true)
  })

  it('refuses an unknown or misspelt parameter, naming it', () => {
    const result = engineCommandSchema.safeParse(migrate({ rateMaxMbitPerSecond: 500 }))
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['rateMaxMbitPerSecond'], path: ['parameters'] })
  })

  it('refuses values outside the sheet\'s bounds or of the wrong type', () => {
    for (const parameters of [{ rateMaxMbitPerS: 1e308 }, { downtimeLimitMs: 0 }, { autoConverge: 1 }, { maxBandwidthMbitPerS: '1000' }]) {
      expect(engineCommandSchema.safeParse(migrate(parameters)).success, JSON.stringify(parameters)).toBe(false)
    }
  })
})

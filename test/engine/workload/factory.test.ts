// Goal: createWorkload builds every kind and checkWorkloadSpec names the offending field.
// Method: valid and invalid specs against a 256 MiB geometry.
import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../engine/kernel'
import { MIB } from '../../../engine/memory'
import { checkWorkloadSpec, createWorkload, WORKLOAD_KINDS, type WorkloadSpec } from '../../../engine/workload'

const MEM = 256 * MIB

describe('createWorkload', () => {
  it('builds each kind with its own kind tag', () => {
    const specs: WorkloadSpec[] = [
      { kind: 'idle' }, { kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 10, pattern: 'seq' }, { kind: 'muncher', regionMiB: 4, writeMbitPerS: 1 },
      { kind: 'web' }, { kind: 'game' }, { kind: 'oltp', bufferPoolMiB: 64 }, { kind: 'trace', csv: '0,1,1' }
    ]
    expect(specs.map((spec) => createWorkload(spec, deriveStream(1, 'w')).kind)).toEqual([...WORKLOAD_KINDS])
    for (const spec of specs) expect(checkWorkloadSpec(spec, MEM)).toBeUndefined()
  })
})

describe('checkWorkloadSpec', () => {
  it.each([
    [{ kind: 'hotset', hotMiB: 512, dirtyPagesPerS: 10, pattern: 'seq' }, /^hotMiB: /],
    [{ kind: 'hotset', hotMiB: 0, dirtyPagesPerS: 10, pattern: 'seq' }, /^hotMiB: expected a positive number, got 0$/],
    [{ kind: 'hotset', hotMiB: 4, dirtyPagesPerS: -1, pattern: 'seq' }, /^dirtyPagesPerS: expected a non-negative number, got -1$/],
    [{ kind: 'hotset', hotMiB: 4, pattern: 'seq' }, /^dirtyPagesPerS: expected a number \(missing\)$/],
    [{ kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 1, pattern: 'spiral' }, /^pattern: expected one of "seq", "rand", "zipf", got "spiral"$/],
    [{ kind: 'hotset', hotMiB: 4, dirtyPagesPerS: 1, pattern: 'zipf', zipfS: 0 }, /^zipfS: expected a positive number, got 0$/],
    [{ kind: 'muncher', regionMiB: 4, writeMbitPerS: Number.NaN }, /^writeMbitPerS: expected a number, got NaN$/],
    [{ kind: 'oltp' }, /^bufferPoolMiB: /],
    [{ kind: 'idle', cpuDemand: 2 }, /^cpuDemand: expected a number ≤ 1, got 2$/],
    [{ kind: 'trace', csv: '0,70000,1' }, /^csv: trace writes page 70000/],
    [{ kind: 'trace', csv: 'a,b,c' }, /^csv: line 1: timeUs/],
    [{ kind: 'trace', csv: '10,1,1', periodUs: 5 }, /^periodUs: /],
    [{ kind: 'disk' }, /^kind: unknown kind, got "disk"$/],
    [{ kind: 'idle', writesPerSecond: 3 }, /^\(workload\): unknown field "writesPerSecond"$/],
    [{ kind: 'trace' }, /^csv: expected a string \(missing\)$/]
  ])('reports %j', (spec, pattern) => {
    expect(checkWorkloadSpec(spec as unknown as WorkloadSpec, MEM)).toMatch(pattern)
  })
})

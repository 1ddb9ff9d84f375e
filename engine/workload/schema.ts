// The workload spec as a zod schema: field types and ranges per kind. Memory-layout limits (a region larger
// than the VM, a trace writing past the last page) need the geometry and are checked in factory.ts.
import { z } from 'zod'
import { HOTSET_PATTERNS, type WorkloadSpec } from './spec'

/**
 * Upper bounds on rates: the cost of simulating a workload grows with its write rate, so an absurd rate
 * (1e9 pages/s) would run for hours. 1e7 page writes/s is 40 GB/s of 4 KiB pages, above one VM's memory bandwidth.
 */
export const WORKLOAD_RATE_LIMITS = {
  pagesPerS: 10_000_000, writeMbitPerS: 400_000, requestsPerS: 1_000_000, frameHz: 10_000, perEvent: 100_000
} as const

/** A size: strictly positive. */
const size = z.number().positive()
/** An offset: zero or more. */
const offset = z.number().min(0)
/** A rate: zero up to a bound (page writes per second unless given). */
const rate = (max: number = WORKLOAD_RATE_LIMITS.pagesPerS) => z.number().min(0).max(max)
const perEvent = rate(WORKLOAD_RATE_LIMITS.perEvent)

const common = {
  filledMiB: offset.optional(),
  cpuDemand: z.number().min(0).max(1).optional()
}

export const workloadSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('idle'), ...common, writesPerS: rate().optional(), regionMiB: size.optional() }),
  z.strictObject({
    kind: z.literal('hotset'), ...common, hotMiB: size, dirtyPagesPerS: rate(), pattern: z.enum(HOTSET_PATTERNS),
    zipfS: size.optional(), offsetMiB: offset.optional()
  }),
  z.strictObject({ kind: z.literal('muncher'), ...common, regionMiB: size, writeMbitPerS: rate(WORKLOAD_RATE_LIMITS.writeMbitPerS) }),
  z.strictObject({
    kind: z.literal('web'), ...common, requestsPerS: rate(WORKLOAD_RATE_LIMITS.requestsPerS).optional(), netBufferMiB: size.optional(), heapMiB: size.optional(),
    pagesPerRequest: perEvent.optional(), dmaPagesPerRequest: perEvent.optional(), requestsPerSAtFullCpu: size.optional()
  }),
  z.strictObject({
    kind: z.literal('game'), ...common, frameHz: rate(WORKLOAD_RATE_LIMITS.frameHz).optional(), stateMiB: size.optional(), pagesPerFrame: perEvent.optional(),
    dmaPagesPerFrame: perEvent.optional()
  }),
  z.strictObject({
    kind: z.literal('oltp'), ...common, bufferPoolMiB: size.optional(), dirtyPagesPerS: rate().optional(), zipfS: size.optional(),
    logMiB: size.optional(), logMbitPerS: rate(WORKLOAD_RATE_LIMITS.writeMbitPerS).optional(), readPagesPerS: rate().optional()
  }),
  z.strictObject({ kind: z.literal('trace'), ...common, csv: z.string(), loop: z.boolean().optional(), periodUs: z.number().min(1).optional() })
]) satisfies z.ZodType<WorkloadSpec>

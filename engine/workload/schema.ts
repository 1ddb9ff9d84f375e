// The workload spec as a zod schema: field types and ranges per kind. Memory-layout limits (a region larger
// than the VM, a trace writing past the last page) need the geometry and are checked in factory.ts.
import { z } from 'zod'
import { HOTSET_PATTERNS, type WorkloadSpec } from './spec'

/** A size: strictly positive. */
const size = z.number().positive()
/** A rate or offset: zero or more. */
const rate = z.number().min(0)

const common = {
  filledMiB: rate.optional(),
  cpuDemand: z.number().min(0).max(1).optional()
}

export const workloadSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('idle'), ...common, writesPerS: rate.optional(), regionMiB: size.optional() }),
  z.strictObject({
    kind: z.literal('hotset'), ...common, hotMiB: size, dirtyPagesPerS: rate, pattern: z.enum(HOTSET_PATTERNS),
    zipfS: size.optional(), offsetMiB: rate.optional()
  }),
  z.strictObject({ kind: z.literal('muncher'), ...common, regionMiB: size, writeMbitPerS: rate }),
  z.strictObject({
    kind: z.literal('web'), ...common, requestsPerS: rate.optional(), netBufferMiB: size.optional(), heapMiB: size.optional(),
    pagesPerRequest: rate.optional(), dmaPagesPerRequest: rate.optional(), requestsPerSAtFullCpu: size.optional()
  }),
  z.strictObject({
    kind: z.literal('game'), ...common, frameHz: rate.optional(), stateMiB: size.optional(), pagesPerFrame: rate.optional(),
    dmaPagesPerFrame: rate.optional()
  }),
  z.strictObject({
    kind: z.literal('oltp'), ...common, bufferPoolMiB: size.optional(), dirtyPagesPerS: rate.optional(), zipfS: size.optional(),
    logMiB: size.optional(), logMbitPerS: rate.optional(), readPagesPerS: rate.optional()
  }),
  z.strictObject({ kind: z.literal('trace'), ...common, csv: z.string(), loop: z.boolean().optional(), periodUs: z.number().min(1).optional() })
]) satisfies z.ZodType<WorkloadSpec>

// Commands the UI (or a script) applies to a running world, as zod schemas: the IPC boundary parses untrusted
// requests with them and every layer uses the types inferred from them, so check and type are one source.
// Every command that moves a VM records who caused it (trigger) and why, so every migration can be traced.
import { z } from 'zod'
import { automationSchema, dropRefusalSchema, netFaultCommandSchema, strategySchema } from './names'
import { strategyCatalog } from '../migration/catalog'
import { DEFAULT_PARAMS } from '../migration/types'
import type { CatalogParam } from './catalog'

/** An entity id as commands carry it (VM, host, migration, recommendation). */
export const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9._:-]+$/, 'expected an id of letters, digits, . _ : -')
const paramKey = z.string().max(40)

function paramSchema(param: CatalogParam): z.ZodType<number | boolean> {
  if (typeof param.defaultValue === 'boolean') return z.boolean()
  return z.number().finite().min(param.min ?? -Number.MAX_VALUE).max(param.max ?? Number.MAX_VALUE)
}

/**
 * A migration's parameters: exactly the ones the strategy catalog offers, with its bounds. Strict: an unknown or
 * misspelt parameter is refused instead of silently ignored by the engine's mapping.
 */
export const migrateParametersSchema = z.strictObject(Object.fromEntries(
  strategyCatalog().flatMap((strategy) => strategy.params).map((param) => [param.name, paramSchema(param).optional()])
)).readonly()

/** A migration's time cap: still running after this long, it is aborted ("timed out after …"). Default 600 s. */
export const TIME_CAP_S_DEFAULT = DEFAULT_PARAMS.cancelAfterUs / 1_000_000
export const timeCapSchema = z.number().int().min(10).max(7 * 24 * 3600)

const migrateFields = { vmId: idSchema, destination: idSchema, strategy: strategySchema, parameters: migrateParametersSchema.optional(), timeCapS: timeCapSchema.optional() }

export const engineCommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('migrate'), ...migrateFields }).readonly(),
  z.object({ kind: z.literal('abort-migration'), migrationId: idSchema }).readonly(),
  z.object({ kind: z.literal('force-complete'), migrationId: idSchema }).readonly(),
  z.object({ kind: z.literal('evacuate-host'), hostId: idSchema }).readonly(),
  z.object({ kind: z.literal('exit-maintenance'), hostId: idSchema }).readonly(),
  z.object({ kind: z.literal('fail-host'), hostId: idSchema }).readonly(),
  z.object({ kind: z.literal('repair-host'), hostId: idSchema }).readonly(),
  z.object({ kind: z.literal('power-host'), hostId: idSchema, on: z.boolean() }).readonly(),
  z.object({ kind: z.literal('inject-fault'), fault: netFaultCommandSchema, target: idSchema }).readonly(),
  z.object({ kind: z.literal('set-policy'), policy: idSchema, automation: automationSchema,
    parameters: z.record(paramKey, z.union([z.number().finite(), z.string().max(64), z.boolean()])).readonly().optional() }).readonly(),
  z.object({ kind: z.literal('accept-recommendation'), recommendationId: idSchema }).readonly(),
  z.object({ kind: z.literal('reject-recommendation'), recommendationId: idSchema }).readonly()
])

export type EngineCommand = z.infer<typeof engineCommandSchema>

/** The engine's verdict on dropping a VM on a host: a code for badges and a sentence for the user. */
export const dropVerdictSchema = z.object({
  hostId: z.string(),
  refusal: dropRefusalSchema.nullable(),
  /** Empty when the drop is allowed. */
  reason: z.string()
}).readonly()
export type DropVerdict = z.infer<typeof dropVerdictSchema>
/** Why a drop is refused; null when allowed. */
export type DropRefusal = DropVerdict['refusal']

/** 'sim:migration-estimate': the migrate command's fields, asked before the command is sent. */
export const migrationEstimateRequestSchema = z.object(migrateFields).readonly()
export type MigrationEstimateRequest = z.infer<typeof migrationEstimateRequestSchema>

/** The engine's estimate model's answer for a move with the chosen parameters, and the defaults it suggests for the path. */
export const migrationEstimateSchema = z.object({
  /** The smallest capacity on the source → destination path, Mbit/s. */
  pathMbitPerS: z.number(),
  /** The rate the estimate assumed (the parameters' rate, capped by the fair share the network gives now), Mbit/s. */
  rateMbitPerS: z.number(),
  /** Strategy parameters that fit this path (what the engine's own moves use): the sheet's defaults. */
  suggested: z.record(z.string(), z.union([z.number(), z.boolean()])).readonly(),
  /** The estimate; null when the model has none for this strategy (see note). */
  estimate: z.object({ totalMs: z.number(), downtimeMs: z.number(), bytes: z.number(), rounds: z.number().int(), converges: z.boolean() }).readonly().nullable(),
  /** Whether the estimated duration fits the time cap; null without an estimate. */
  fitsTimeCap: z.boolean().nullable(),
  timeCapS: z.number(),
  /** What the estimate assumes, or why there is none, in words. */
  note: z.string()
}).readonly()
export type MigrationEstimateAnswer = z.infer<typeof migrationEstimateSchema>

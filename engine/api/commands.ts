// Commands the UI (or a script) applies to a running world, as zod schemas: the IPC boundary parses untrusted
// requests with them and every layer uses the types inferred from them, so check and type are one source.
// Every command that moves a VM records who caused it (trigger) and why, so every migration can be traced.
import { z } from 'zod'
import { automationSchema, dropRefusalSchema, netFaultCommandSchema, strategySchema } from './names'
import { strategyCatalog } from '../migration/catalog'
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

export const engineCommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('migrate'), vmId: idSchema, destination: idSchema, strategy: strategySchema,
    parameters: migrateParametersSchema.optional() }).readonly(),
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

// Policy parameters as zod schemas: one object schema per policy, each field with its default, bounds or choices,
// unit and description. The schema validates (`parsePolicyParams`: strings coerced, so a CLI `--param k=v`, a
// scenario's `policy.params` and the app's form go the same way; errors name the parameter) and describes
// (`paramInfos`: the list the engine catalog sends to the UI, which builds its form from it).
import { z } from 'zod'
import type { ParamInfo, ParamValue } from './types'

export class PolicyParamError extends RangeError {
  override readonly name = 'PolicyParamError'
}

interface FieldMeta {
  readonly description: string
  readonly unit?: string
  readonly notAbove?: string
}

export interface NumberField extends FieldMeta {
  readonly min?: number
  readonly max?: number
  readonly integer?: boolean
  /** Another numeric parameter this one may not exceed (Sandpiper's k of n). */
  readonly notAbove?: string
}

/** A numeric parameter with its default and inclusive bounds. */
export function numberParam(defaultValue: number, field: NumberField) {
  let schema = z.number({ error: (issue) => `expected a number, got ${JSON.stringify(issue.input)}` })
  if (field.integer === true) schema = schema.int({ error: (issue) => `must be a whole number, got ${String(issue.input)}` })
  if (field.min !== undefined) schema = schema.min(field.min, { error: (issue) => `must be at least ${field.min}, got ${String(issue.input)}` })
  if (field.max !== undefined) schema = schema.max(field.max, { error: (issue) => `must be at most ${field.max}, got ${String(issue.input)}` })
  return schema.default(defaultValue).meta({ description: field.description, unit: field.unit, notAbove: field.notAbove })
}

export function booleanParam(defaultValue: boolean, field: FieldMeta) {
  return z.boolean({ error: (issue) => `expected true or false, got ${JSON.stringify(issue.input)}` })
    .default(defaultValue).meta({ description: field.description, unit: field.unit })
}

export function choiceParam<const T extends readonly [string, ...string[]]>(choices: T, defaultValue: T[number], field: FieldMeta) {
  return z.enum(choices, { error: (issue) => `expected one of ${choices.join(', ')}, got ${JSON.stringify(issue.input)}` })
    .default(defaultValue as never).meta({ description: field.description, unit: field.unit })
}

type ParamField = ReturnType<typeof numberParam> | ReturnType<typeof booleanParam> | ReturnType<typeof choiceParam>
export type ParamShape = Readonly<Record<string, ParamField>>
export type PolicyParamSchema = z.ZodObject<ParamShape>

/** One strict object schema (unknown parameters are errors) from the fields. */
export function policyParamSchema(shape: ParamShape): PolicyParamSchema {
  return z.strictObject(shape) as unknown as PolicyParamSchema
}

function innerOf(field: ParamField): z.ZodNumber | z.ZodBoolean | z.ZodEnum {
  return field.unwrap() as z.ZodNumber | z.ZodBoolean | z.ZodEnum
}

/** What the UI needs to build a form field, read from the schema (so the two never drift). */
export function paramInfos(schema: PolicyParamSchema): ParamInfo[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const meta = (z.globalRegistry.get(field) ?? {}) as Partial<FieldMeta>
    const inner = innerOf(field)
    const info: { -readonly [K in keyof ParamInfo]: ParamInfo[K] } = {
      name, defaultValue: field.def.defaultValue as ParamValue, description: meta.description ?? name
    }
    if (meta.unit !== undefined) info.unit = meta.unit
    if (meta.notAbove !== undefined) info.notAbove = meta.notAbove
    if (inner instanceof z.ZodNumber) {
      // .int() alone implies the safe-integer range; only declared bounds are bounds.
      if (inner.minValue !== null && inner.minValue > Number.MIN_SAFE_INTEGER) info.min = inner.minValue
      if (inner.maxValue !== null && inner.maxValue < Number.MAX_SAFE_INTEGER) info.max = inner.maxValue
      if (inner.isInt) info.integer = true
    }
    if (inner instanceof z.ZodEnum) info.choices = inner.options as string[]
    return info
  })
}

/** The schema of a hand-declared parameter list (plugins), so plugins are checked by the same rules. */
export function schemaFromInfos(params: readonly ParamInfo[]): PolicyParamSchema {
  const shape: Record<string, ParamField> = {}
  for (const p of params) {
    if (typeof p.defaultValue === 'number') shape[p.name] = numberParam(p.defaultValue, p)
    else if (typeof p.defaultValue === 'boolean') shape[p.name] = booleanParam(p.defaultValue, p)
    else if (p.choices !== undefined && p.choices.length > 0) shape[p.name] = choiceParam(p.choices as [string, ...string[]], p.defaultValue, p)
    else shape[p.name] = z.string().default(p.defaultValue).meta({ description: p.description }) as unknown as ParamField
  }
  return policyParamSchema(shape)
}

/** Strings as the parameter's type: '4' → 4, 'true' → true; anything else is left for the schema to reject. */
function coerce(field: ParamField, raw: ParamValue): unknown {
  if (typeof raw !== 'string') return raw
  const inner = innerOf(field)
  if (inner instanceof z.ZodNumber) return raw.trim() === '' || Number.isNaN(Number(raw)) ? raw : Number(raw)
  if (inner instanceof z.ZodBoolean) return raw === 'true' ? true : raw === 'false' ? false : raw
  return raw
}

/**
 * Defaults overlaid with `given` (coerced and checked). Throws PolicyParamError naming the policy and the
 * parameter: "policy drs, parameter threshold: must be at most 5, got 9".
 */
export function parsePolicyParams(policy: string, schema: PolicyParamSchema, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(given).sort()) {
    const field = schema.shape[key]
    if (field === undefined) {
      const known = Object.keys(schema.shape).join(', ') || 'none'
      throw new PolicyParamError(`policy ${policy}: unknown parameter ${key} (known: ${known})`)
    }
    input[key] = coerce(field, given[key] as ParamValue)
  }
  const result = schema.safeParse(input)
  if (result.success) {
    const values = result.data as Record<string, ParamValue>
    for (const [name, field] of Object.entries(schema.shape)) {
      const limit = (z.globalRegistry.get(field) as Partial<FieldMeta> | undefined)?.notAbove
      if (limit !== undefined && (values[name] as number) > (values[limit] as number)) {
        throw new PolicyParamError(`policy ${policy}, parameter ${name}: must not exceed ${limit} (${String(values[limit])}), got ${String(values[name])}`)
      }
    }
    return values
  }
  const issue = result.error.issues[0] as z.core.$ZodIssue
  throw new PolicyParamError(`policy ${policy}, parameter ${issue.path.join('.')}: ${issue.message}`)
}

// Parameter forms driven by the engine catalog's schemas (strategies and policies alike): defaults, the first
// problem as a sentence, and parsing a field back to its parameter's type.
import type { CatalogParam } from '../../../main/ipc/contract'

export type ParamValues = Record<string, number | string | boolean>

export function defaultParams(params: readonly CatalogParam[]): ParamValues {
  return Object.fromEntries(params.map((p) => [p.name, p.defaultValue]))
}

function bound(param: CatalogParam, word: string, value: number): string {
  return `${param.description} must be ${word} ${value} ${param.unit ?? ''}`.trim() + '.'
}

/** A problem with the values as a sentence, or null when they can be sent. */
export function paramsProblem(params: readonly CatalogParam[], values: Readonly<ParamValues>): string | null {
  for (const param of params) {
    if (typeof param.defaultValue !== 'number') continue
    const v = values[param.name]
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${param.description} must be a number.`
    if (param.min !== undefined && v < param.min) return bound(param, 'at least', param.min)
    if (param.max !== undefined && v > param.max) return bound(param, 'at most', param.max)
  }
  for (const param of params) {
    const limit = params.find((p) => p.name === param.notAbove)
    if (limit !== undefined && Number(values[param.name]) > Number(values[limit.name])) return `${param.description} must not exceed the ${limit.description.toLowerCase()}.`
  }
  return null
}

/** A policy's form fields: its schema without the automation level, which the form's radio buttons set. */
export function policyFormParams(params: readonly CatalogParam[]): CatalogParam[] {
  return params.filter((p) => p.name !== 'automation')
}

/** The parameter an engine refusal names ("policy drs, parameter threshold: …" → "threshold"), or null. */
export function refusedParam(message: string | null): string | null {
  return message === null ? null : /\bparameter (\w+)/.exec(message)?.[1] ?? null
}

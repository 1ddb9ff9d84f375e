// What the engine offers, as data the UI renders instead of keeping its own lists: every strategy with its
// user-facing parameters and the stages it passes through, the stage labels in protocol order, every policy
// with its parameter schema, the automation levels, and the run-summary metrics with units and directions. Served over the 'engine:catalog' channel.
import { z } from 'zod'
import { automationSchema, stageSchema, strategySchema } from './names'
import { metricInfoSchema } from './metrics'

/** One tunable parameter: its type is the type of its default; bounds and choices as declared. */
export const paramInfoSchema = z.object({
  name: z.string(),
  defaultValue: z.union([z.number(), z.string(), z.boolean()]),
  /** A short label or sentence for the form. */
  description: z.string(),
  unit: z.string().optional(),
  /** Allowed values of a string parameter. */
  choices: z.array(z.string()).readonly().optional(),
  /** Inclusive bounds of a numeric parameter. */
  min: z.number().optional(),
  max: z.number().optional(),
  /** Whole numbers only. */
  integer: z.boolean().optional(),
  /** Another numeric parameter this one may not exceed (a minimum rate and its maximum). */
  notAbove: z.string().optional()
}).readonly()
export type CatalogParam = z.infer<typeof paramInfoSchema>

export const strategyInfoSchema = z.object({
  name: strategySchema,
  label: z.string(),
  summary: z.string(),
  params: z.array(paramInfoSchema).readonly(),
  /** Stages a migration with this strategy passes through, in protocol order ('done' excluded). */
  stages: z.array(stageSchema).readonly()
}).readonly()
export type StrategyInfo = z.infer<typeof strategyInfoSchema>

export const stageInfoSchema = z.object({
  name: stageSchema,
  label: z.string(),
  /** Shown on a timeline only for strategies that run it (post-copy); other skipped stages show as skipped. */
  optional: z.boolean()
}).readonly()
export type StageInfo = z.infer<typeof stageInfoSchema>

export const policyCatalogEntrySchema = z.object({
  name: z.string(),
  summary: z.string(),
  params: z.array(paramInfoSchema).readonly()
}).readonly()
export type PolicyCatalogEntry = z.infer<typeof policyCatalogEntrySchema>

export const engineCatalogSchema = z.object({
  strategies: z.array(strategyInfoSchema).readonly(),
  defaultStrategy: strategySchema,
  /** Every stage but 'done', in protocol order. */
  stages: z.array(stageInfoSchema).readonly(),
  policies: z.array(policyCatalogEntrySchema).readonly(),
  automationLevels: z.array(automationSchema).readonly(),
  /** Every numeric run-summary field with its label, unit and better direction (experiments, sweeps). */
  metrics: z.array(metricInfoSchema).readonly()
}).readonly()
export type EngineCatalog = z.infer<typeof engineCatalogSchema>

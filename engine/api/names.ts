// The engine's vocabularies, each spelled once: `as const` lists for code that iterates them, zod enums for
// the boundary, and the union types inferred from both. Everything outside engine/ takes them from here
// (through engine/index and the IPC contract), so adding a strategy or a stage is a one-line change.
import { z } from 'zod'

/** Migration strategies, in the order the UI offers them after the default. */
export const STRATEGIES = ['stop-and-copy', 'demand', 'precopy', 'precopy-qemu', 'postcopy', 'hybrid'] as const
export const strategySchema = z.enum(STRATEGIES)
export type StrategyName = z.infer<typeof strategySchema>

/** Stages of the live-migration protocol in protocol order ('done' last). */
export const STAGES = ['pre-migration', 'reservation', 'precopy', 'stop-and-copy', 'commit', 'activation', 'postcopy', 'done'] as const
export const stageSchema = z.enum(STAGES)
export type Stage = z.infer<typeof stageSchema>

/** Who caused a migration. */
export const TRIGGERS = ['user', 'policy', 'evacuation', 'ha'] as const
export const triggerSchema = z.enum(TRIGGERS)
export type Trigger = z.infer<typeof triggerSchema>

/**
 * How a migration ended: completed (destination runs it), aborted (source runs it again), failed (neither: a
 * side died), paused (post-copy still waiting for its broken path when the run ended: the VM is neither lost
 * nor failed, it sits on the destination with vCPUs blocked on pages the source still holds).
 */
export const OUTCOMES = ['completed', 'aborted', 'failed', 'paused'] as const
export const outcomeSchema = z.enum(OUTCOMES)
export type Outcome = z.infer<typeof outcomeSchema>

/** How far a policy may act on its own: recommend only, execute some, execute all. */
export const AUTOMATION_LEVELS = ['manual', 'partial', 'full'] as const
export const automationSchema = z.enum(AUTOMATION_LEVELS)
export type AutomationLevel = z.infer<typeof automationSchema>

/** Network faults a user can inject into the emulated LAN. */
export const NET_FAULT_COMMANDS = ['link-down', 'link-up', 'partition', 'heal'] as const
export const netFaultCommandSchema = z.enum(NET_FAULT_COMMANDS)
export type NetFaultCommand = z.infer<typeof netFaultCommandSchema>

/** Why a VM may not be dropped on a host (the engine's admission rule for user moves). */
export const DROP_REFUSALS = ['same-host', 'already-migrating', 'vm-not-running', 'host-down', 'maintenance', 'no-memory', 'cpu', 'anti-affinity', 'placement-rule'] as const
export const dropRefusalSchema = z.enum(DROP_REFUSALS)
export type DropRefusalCode = z.infer<typeof dropRefusalSchema>

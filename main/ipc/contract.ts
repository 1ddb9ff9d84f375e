// THE contract between renderer and main, whether carried by Electron IPC or by the browser-mode WebSocket:
// every invoke channel with its request and response schema, every push channel with its payload schema.
// TypeScript types are derived from the schemas, so type and check are one source.
import { z } from 'zod'
import type { INVOKE_CHANNELS, PUSH_CHANNELS } from './channels'
export type { Result, ErrorCode } from './result'

const simStatusSchema = z.object({
  nowUs: z.number().int().nonnegative(),
  playing: z.boolean(),
  /** Virtual seconds per wall second; null = as fast as possible. */
  speed: z.number().positive().nullable(),
  traceHash: z.string()
})

const appInfoSchema = z.object({
  appVersion: z.string(),
  engineVersion: z.string(),
  mode: z.enum(['electron', 'browser'])
})

const simControlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('play') }),
  z.object({ action: z.literal('pause') }),
  z.object({ action: z.literal('step'), durationUs: z.number().int().positive().max(3_600_000_000) }),
  z.object({ action: z.literal('speed'), speed: z.number().min(1).max(10_000).nullable() })
])

export const invokeSchemas = {
  'app:get-info': { request: z.undefined(), response: appInfoSchema },
  'sim:get-status': { request: z.undefined(), response: simStatusSchema },
  'sim:control': { request: simControlSchema, response: simStatusSchema }
} as const

export const pushSchemas = {
  'sim:status': simStatusSchema
} as const

export type InvokeChannel = keyof typeof invokeSchemas
export type PushChannel = keyof typeof pushSchemas
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeSchemas)[C]['request']>
export type InvokeResponse<C extends InvokeChannel> = z.output<(typeof invokeSchemas)[C]['response']>
export type PushPayload<C extends PushChannel> = z.output<(typeof pushSchemas)[C]>

export type SimStatus = z.output<typeof simStatusSchema>
export type AppInfo = z.output<typeof appInfoSchema>
export type SimControl = z.output<typeof simControlSchema>

// Adding a schema without listing its channel (or the reverse) fails to compile.
type SameKeys<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : never
const invokeListComplete: SameKeys<InvokeChannel, (typeof INVOKE_CHANNELS)[number]> = true
const pushListComplete: SameKeys<PushChannel, (typeof PUSH_CHANNELS)[number]> = true
void invokeListComplete
void pushListComplete

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(invokeSchemas, channel)
}

export function isPushChannel(channel: unknown): channel is PushChannel {
  return typeof channel === 'string' && Object.hasOwn(pushSchemas, channel)
}

/** The one API object the renderer sees (window.api in Electron, a WebSocket client in browser mode). */
export interface RendererApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<import('./result').Result<InvokeResponse<C>>>
  on<C extends PushChannel>(channel: C, listener: (payload: PushPayload<C>) => void): () => void
}

// One registration gate for every transport: validates the channel and the payload against the contract,
// calls the handler, and turns any throw into an `internal` Result. Nothing thrown ever crosses the bridge.
import { invokeSchemas, isInvokeChannel, type InvokeChannel, type InvokeParsed, type InvokeResponse } from './contract'
import { fail, ok, type ErrorCode, type Result } from './result'

/** Thrown by a handler to answer with a specific error code (a refusal, a missing item), not `internal`. */
export class HandlerError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message)
  }
}

export type Handler<C extends InvokeChannel> = (request: InvokeParsed<C>) => InvokeResponse<C> | Promise<InvokeResponse<C>>
export type HandlerMap = { [C in InvokeChannel]: Handler<C> }

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>

export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)'}: ${issue.message}`).join('; ')
}

export function createDispatcher(handlers: HandlerMap, log: (message: string) => void = () => {}): Dispatch {
  return async (channel, payload) => {
    if (!isInvokeChannel(channel)) return fail('unknown-channel', `unknown channel ${JSON.stringify(channel)}`)
    const parsed = invokeSchemas[channel].request.safeParse(payload)
    if (!parsed.success) return fail('invalid-argument', describeIssues(parsed.error.issues))
    try {
      const handler = handlers[channel] as (request: unknown) => unknown
      return ok(await handler(parsed.data))
    } catch (error) {
      if (error instanceof HandlerError) return fail(error.code, error.message)
      const message = error instanceof Error ? error.message : String(error)
      log(`handler for ${channel} threw: ${message}`)
      return fail('internal', message)
    }
  }
}

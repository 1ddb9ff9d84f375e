// Browser mode's RendererApi: the same contract as Electron's window.api, carried over a WebSocket to the
// loopback server. The access token comes from the page URL.
import type { InvokeChannel, InvokeRequest, InvokeResponse, PushChannel, PushPayload, RendererApi, Result } from '../../../main/ipc/contract'

type Pending = (result: Result<unknown>) => void

export function createWebSocketApi(url: string): RendererApi {
  const socket = new WebSocket(url)
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true })
    socket.addEventListener('error', () => reject(new Error('cannot connect to the Cutover server')), { once: true })
  })
  opened.catch(() => {}) // reported by each invoke as a Result, not as an unhandled rejection
  const pending = new Map<number, Pending>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let nextId = 1

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { type: string; id?: number; result?: Result<unknown>; channel?: string; payload?: unknown }
    if (message.type === 'result' && message.id !== undefined) {
      pending.get(message.id)?.(message.result as Result<unknown>)
      pending.delete(message.id)
    } else if (message.type === 'push' && message.channel !== undefined) {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload)
    }
  })
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: 'connection closed' } })
    pending.clear()
  })

  return {
    async invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<Result<InvokeResponse<C>>> {
      // Every invoke settles with a Result: also when the server cannot be reached or the socket has closed.
      try {
        await opened
      } catch (error) {
        return { ok: false, error: { code: 'internal', message: (error as Error).message } }
      }
      if (socket.readyState !== WebSocket.OPEN) return { ok: false, error: { code: 'internal', message: 'connection closed' } }
      const id = nextId++
      return new Promise<Result<InvokeResponse<C>>>((resolve) => {
        pending.set(id, resolve as Pending)
        socket.send(JSON.stringify({ type: 'invoke', id, channel, payload: request }))
      })
    },
    on<C extends PushChannel>(channel: C, listener: (payload: PushPayload<C>) => void) {
      const set = listeners.get(channel) ?? new Set()
      listeners.set(channel, set)
      const wrapped = listener as (payload: unknown) => void
      set.add(wrapped)
      return () => set.delete(wrapped)
    }
  }
}

// The registration gate: valid sender, foreign sender, unknown channel, malformed payload, throwing handler.
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createDispatcher, type HandlerMap } from '../../main/ipc/dispatch'
import { registerIpc, INVOKE_BRIDGE_CHANNEL, type IpcMainLike, type InvokeEventLike } from '../../main/ipc/register'
import { invokeSchemas, type InvokeChannel } from '../../main/ipc/contract'

const status = { nowUs: 5, playing: false, speed: 1, traceHash: 'abc' }
const unused = () => { throw new Error('not used in this test') }
function handlers(overrides: Partial<HandlerMap> = {}): HandlerMap {
  return {
    'app:get-info': () => ({ appVersion: '1', engineVersion: '1', mode: 'browser' }),
    'sim:get-status': () => status,
    'sim:control': () => status,
    'sim:get-snapshot': unused, 'sim:command': unused, 'scenario:list': () => [], 'scenario:load': unused, 'scenario:load-file': unused, 'scenario:new': unused, 'scenario:export': unused,
    'history:list': unused, 'history:get': unused, 'history:verify': unused, 'history:export': unused, 'experiment:run': unused, 'engine:catalog': unused, 'sim:drop-verdicts': unused, 'sim:migration-estimate': unused,
    ...overrides
  }
}

class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>()
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void { this.listeners.set(channel, listener) }
  removeHandler(channel: string): void { this.listeners.delete(channel) }
  call(frameUrl: string | null, channel: unknown, payload: unknown) {
    const listener = this.listeners.get(INVOKE_BRIDGE_CHANNEL)
    if (listener === undefined) throw new Error('not registered')
    return listener({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, channel, payload)
  }
}

describe('IPC registration gate', () => {
  const trusted = (url: string) => url === 'file:///app/renderer/index.html'

  it('answers a valid request from our window', async () => {
    const ipc = new FakeIpcMain()
    registerIpc(ipc, createDispatcher(handlers()), trusted)
    expect(await ipc.call('file:///app/renderer/index.html', 'sim:get-status', undefined)).toEqual({ ok: true, value: status })
  })

  it('refuses a request from a foreign frame or no frame', async () => {
    const ipc = new FakeIpcMain()
    registerIpc(ipc, createDispatcher(handlers()), trusted)
    expect(await ipc.call('https://evil.example/', 'sim:get-status', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await ipc.call(null, 'sim:get-status', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('rejects an unknown channel and a malformed payload with a Result naming the field', async () => {
    const dispatch = createDispatcher(handlers())
    expect(await dispatch('sim:format-disk', {})).toMatchObject({ ok: false, error: { code: 'unknown-channel' } })
    const bad = await dispatch('sim:control', { action: 'speed', speed: -3 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
    expect(bad.ok ? '' : bad.error.message).toContain('speed')
  })

  it('turns a throwing handler into an internal error and keeps working', async () => {
    const logged: string[] = []
    const dispatch = createDispatcher(handlers({ 'sim:get-status': () => { throw new Error('boom') } }), (m) => logged.push(m))
    expect(await dispatch('sim:get-status', undefined)).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } })
    expect(logged[0]).toContain('sim:get-status')
    expect(await dispatch('app:get-info', undefined)).toMatchObject({ ok: true })
  })

  it('never throws on arbitrary payloads for any channel', async () => {
    const dispatch = createDispatcher(handlers())
    const channels = Object.keys(invokeSchemas) as InvokeChannel[]
    await fc.assert(fc.asyncProperty(fc.constantFrom(...channels), fc.anything(), async (channel, payload) => {
      const result = await dispatch(channel, payload)
      const parsed = invokeSchemas[channel].request.safeParse(payload)
      if (!parsed.success) expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
      else if (!result.ok) expect(result.error.code).toBe('internal') // reached a handler that is not used here
    }), { numRuns: 300 })
  })
})

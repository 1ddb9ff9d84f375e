// Browser mode's WebSocket client answers every invoke with a Result, also when the server cannot be reached:
// a store awaiting it shows an error instead of waiting for ever or throwing.
import { describe, expect, it } from 'vitest'
import { createWebSocketApi } from '../../renderer/src/ipc/websocket-api'

describe('WebSocket API client', () => {
  it('settles invokes with an error Result when the server cannot be reached', async () => {
    const api = createWebSocketApi('ws://127.0.0.1:9/ws?token=x') // the discard port: nothing listens there
    const first = await api.invoke('sim:get-status', undefined)
    expect(first).toEqual({ ok: false, error: { code: 'internal', message: 'cannot connect to the Cutover server' } })
    const again = await api.invoke('scenario:list', undefined)
    expect(again.ok).toBe(false)
  })
})

// Browser mode over a real socket: two clients see the same state, a request without the token is refused,
// and the server listens on 127.0.0.1 only.
import { describe, it, expect, afterEach } from 'vitest'
import { WebSocket } from 'ws'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServe, type RunningServe } from '../../main/server/serve'

const rendererDir = mkdtempSync(join(tmpdir(), 'cutover-renderer-'))
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
let running: RunningServe | undefined
afterEach(async () => { await running?.stop(); running = undefined })

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin })
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

function invoke(socket: WebSocket, id: number, channel: string, payload?: unknown): Promise<{ ok: boolean; value?: { nowUs: number } }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = JSON.parse(data.toString()) as { type: string; id: number; result: { ok: boolean; value?: { nowUs: number } } }
      if (message.type === 'result' && message.id === id) { socket.off('message', onMessage); resolve(message.result) }
    }
    socket.on('message', onMessage)
    socket.send(JSON.stringify({ type: 'invoke', id, channel, payload }))
  })
}

describe('browser-mode server', () => {
  it('binds to 127.0.0.1 and serves the renderer', async () => {
    running = await startServe({ port: 0, rendererDir })
    expect(running.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/)
    const response = await fetch(running.server.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    // Cross-origin isolated: no opener from other origins, no cross-origin embedding (and precise timers).
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect((await fetch(`http://127.0.0.1:${running.server.port}/../../etc/passwd`)).status).not.toBe(200)
  })

  it('refuses a WebSocket without the token or from another origin', async () => {
    running = await startServe({ port: 0, rendererDir })
    const base = `ws://127.0.0.1:${running.server.port}/ws`
    await expect(connect(base)).rejects.toThrow('403')
    await expect(connect(`${base}?token=wrong`)).rejects.toThrow('403')
    await expect(connect(`${base}?token=${running.server.token}`, 'http://evil.example')).rejects.toThrow('403')
  })

  it('gives two clients the same state', async () => {
    running = await startServe({ port: 0, rendererDir })
    const url = `ws://127.0.0.1:${running.server.port}/ws?token=${running.server.token}`
    const [a, b] = await Promise.all([connect(url), connect(url)])
    await invoke(a, 1, 'sim:control', { action: 'step', durationUs: 2_000_000 })
    const seen = await invoke(b, 1, 'sim:get-status')
    expect(seen.value?.nowUs).toBe(2_000_000)
    const bad = await invoke(b, 2, 'sim:control', { action: 'warp' })
    expect(bad.ok).toBe(false)
    a.close(); b.close()
  })
})

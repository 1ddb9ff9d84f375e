// Goal: the browser-mode server survives hostile and careless input and stays up for everyone else:
// malformed URLs (400), foreign Host headers (421), frames over the contract's limit (only that socket closes,
// 1009), junk frames, floods of refused loads (every later request still answers, nothing stays pending, the
// previous world keeps running and the refusal says so), too many experiments at once (refused, not started),
// and a port in use (a clear error, exit 2 from the CLI). Every response carries the security headers.
// Method: a real server on 127.0.0.1 (port 0) with the real engine worker; raw HTTP and ws clients; after
// each attack the server must still serve a page and answer a WebSocket request.
import { afterEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { spawnSync } from 'node:child_process'
import { request as httpRequest, createServer, type IncomingHttpHeaders } from 'node:http'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { WebSocket } from 'ws'
import { startServe, type RunningServe } from '../../main/server/serve'
import { FRAME_BYTES_MAX, PortUnavailableError } from '../../main/server/server'
import { SECURITY_HEADERS } from '../../main/server/security-headers'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const rendererDir = mkdtempSync(join(tmpdir(), 'cutover-renderer-'))
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
const twoHosts = readFileSync('scenarios/two-hosts.json', 'utf8')
let running: RunningServe | undefined
afterEach(async () => { await running?.stop(); running = undefined })

interface RawResponse { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: string }

/** A GET with the path sent byte for byte (fetch would normalise it) and an optional Host header. */
function rawGet(port: number, path: string, host = `127.0.0.1:${port}`): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function wsUrl(serve: RunningServe): string {
  return `ws://127.0.0.1:${serve.server.port}/ws?token=${serve.server.token}`
}

function connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

interface Answer { readonly ok: boolean; readonly value?: { readonly nowUs?: number; readonly scenario?: string; readonly hosts?: readonly { readonly id: string }[] }; readonly error?: { readonly code: string; readonly message: string } }

/** Sends invokes and collects their answers by id. */
class Client {
  private nextId = 1
  private readonly waiting = new Map<number, (answer: Answer) => void>()
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number; result?: Answer }
      if (message.type !== 'result' || message.id === undefined) return
      this.waiting.get(message.id)?.(message.result as Answer)
      this.waiting.delete(message.id)
    })
  }

  invoke(channel: string, payload?: unknown): Promise<Answer> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      this.socket.send(JSON.stringify({ type: 'invoke', id, channel, payload }))
    })
  }
}

/** The server still serves a page and answers a fresh WebSocket client. */
async function expectAlive(serve: RunningServe): Promise<void> {
  expect((await rawGet(serve.server.port, '/')).status).toBe(200)
  const client = new Client(await connect(wsUrl(serve)))
  const status = await client.invoke('sim:get-status')
  expect(status.ok).toBe(true)
  client.socket.close()
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
}

describe('browser-mode server under hostile input', () => {
  it('answers malformed paths with 400, foreign Host headers with 421, and every response carries the security headers', async () => {
    running = await startServe({ port: 0, rendererDir, initialScenario: null })
    const port = running.server.port
    const answers = {
      badEscape: await rawGet(port, '/%ZZ'),
      truncatedUtf8: await rawGet(port, '/%E0%A4%A'),
      nul: await rawGet(port, '/index.html%00.js'),
      noHost: await rawGet(port, '//'),
      // Decoded and normalised inside the root: /etc/passwd of the renderer folder, which does not exist.
      traversal: await rawGet(port, '/..%2F..%2Fetc%2Fpasswd'),
      missing: await rawGet(port, '/no-such-file.js'),
      page: await rawGet(port, '/'),
      localhost: await rawGet(port, '/', `localhost:${port}`),
      rebinding: await rawGet(port, '/', `evil.example:${port}`),
      otherPort: await rawGet(port, '/', `127.0.0.1:${port + 1}`)
    }
    expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.status]))).toEqual({
      badEscape: 400, truncatedUtf8: 400, nul: 400, noHost: 400, traversal: 404, missing: 404, page: 200, localhost: 200, rebinding: 421, otherPort: 421
    })
    for (const answer of Object.values(answers)) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers[name.toLowerCase()]).toBe(value)
    }
    await expect(connect(wsUrl(running), { headers: { host: `evil.example:${port}` } })).rejects.toThrow('421')
    await expect(connect(`ws://127.0.0.1:${port}//?token=${running.server.token}`)).rejects.toThrow('400')
    await expectAlive(running)
  })

  it('loads a 2 MiB scenario file over the socket, and closes only the socket that sends a 50 MB frame', async () => {
    running = await startServe({ port: 0, rendererDir, initialScenario: null })
    const bystander = new Client(await connect(wsUrl(running)))
    const loader = new Client(await connect(wsUrl(running)))
    // A valid scenario padded to 2 MiB with whitespace (JSON allows it): over the old 1 MiB frame limit.
    const text = twoHosts + ' '.repeat(2 * 1024 * 1024 - twoHosts.length)
    const loaded = await loader.invoke('scenario:load-file', { fileName: 'big.json', text })
    expect(loaded.ok).toBe(true)
    expect(loaded.value?.scenario).toBe('two-hosts')

    const attacker = await connect(wsUrl(running))
    attacker.on('error', () => {}) // the server may reset the connection while the frame is still being written
    const attackerClosed = closed(attacker)
    attacker.send(Buffer.alloc(50_000_000, 0x61))
    expect((await attackerClosed).code).toBe(1009)
    expect(50_000_000).toBeGreaterThan(FRAME_BYTES_MAX)

    expect((await bystander.invoke('sim:control', { action: 'step', durationUs: 1_000_000 })).ok).toBe(true)
    expect((await loader.invoke('sim:get-status')).value?.nowUs).toBe(1_000_000)
    await expectAlive(running)
    bystander.socket.close()
    loader.socket.close()
  })

  it('after hundreds of refused loads every request still answers, the previous world runs on, and nothing stays pending', async () => {
    running = await startServe({ port: 0, rendererDir, initialScenario: 'two-hosts' })
    const client = new Client(await connect(wsUrl(running)))
    const first = await client.invoke('sim:get-snapshot')
    expect(first.value?.scenario).toBe('two-hosts')
    const hostId = first.value?.hosts?.[0].id ?? ''
    const refusals = new Set<string>()
    for (let i = 0; i < 300; i++) {
      const text = i % 3 === 0 ? '{ not json' : i % 3 === 1 ? JSON.stringify({ name: `broken-${i}`, hosts: [] }) : '[]'
      const refused = await client.invoke('scenario:load-file', { fileName: `broken-${i}.json`, text })
      expect(refused.ok).toBe(false)
      expect(refused.error?.message).toContain('two-hosts is still running')
      refusals.add(refused.error?.code ?? '')
      const answer = await client.invoke('sim:command', { kind: 'repair-host', hostId })
      expect(answer.ok).toBe(false)
      expect(answer.error?.message).toBe(`${hostId} has not failed (it is on)`)
    }
    expect([...refusals]).toEqual(['invalid-argument'])
    expect((await client.invoke('scenario:load', { name: 'no-such-preset' })).ok).toBe(false)
    // The world the UI shows is the world the engine has, and it still moves.
    expect((await client.invoke('sim:get-snapshot')).value?.scenario).toBe('two-hosts')
    expect((await client.invoke('sim:control', { action: 'step', durationUs: 2_000_000 })).value?.nowUs).toBe(2_000_000)
    const socketClosed = closed(client.socket)
    client.socket.close()
    await socketClosed
    expect(running.server.inFlightCount()).toBe(0)
    expect(running.services.host.pendingCount).toBe(0)
    await expectAlive(running)
  })

  it('drops junk frames without answering and keeps the socket usable; refuses play and step when no world is loaded', async () => {
    running = await startServe({ port: 0, rendererDir, initialScenario: null })
    const client = new Client(await connect(wsUrl(running)))
    for (const junk of ['', 'null', '{', '[]', '{"type":"invoke"}', '{"type":"invoke","id":1.5,"channel":"sim:get-status"}', '{"type":"result","id":1}']) client.socket.send(junk)
    client.socket.send(Buffer.from([0xff, 0xfe, 0x00, 0x01]))
    expect((await client.invoke('no:such-channel')).error?.code).toBe('unknown-channel')
    expect((await client.invoke('sim:control', { action: 'play' })).error?.code).toBe('not-found')
    expect((await client.invoke('sim:control', { action: 'step', durationUs: 1_000_000 })).error?.code).toBe('not-found')
    const broken = await client.invoke('scenario:load-file', { fileName: 'x.json', text: '{}' })
    expect(broken.ok).toBe(false)
    expect(broken.error?.message).not.toContain('still running')
    client.socket.close()
    await expectAlive(running)
  })

  it('survives random frames and random paths (fuzz), and answers afterwards', async () => {
    running = await startServe({ port: 0, rendererDir, initialScenario: 'two-hosts' })
    const serve = running
    const client = new Client(await connect(wsUrl(serve)))
    const channels = ['sim:get-status', 'sim:control', 'sim:command', 'scenario:load', 'scenario:load-file', 'history:list', 'history:get', 'no:such']
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.record({ type: fc.constant('invoke'), id: fc.integer(), channel: fc.constantFrom(...channels), payload: fc.anything() }).map((frame) => JSON.stringify(frame))
      ),
      async (frame) => { client.socket.send(frame) }
    ), { numRuns: 300 })
    // Pieces of percent-escapes, traversal and separators, sent byte for byte.
    const pathPiece = fc.constantFrom('/', '%', 'Z', 'E0', 'A4', '2F', '5C', '00', 'C3%A9', '..', 'a', '.', '~', '?', '#', 'index.html')
    await fc.assert(fc.asyncProperty(fc.array(pathPiece, { maxLength: 12 }).map((parts) => `/${parts.join('')}`), async (path) => {
      const answer = await rawGet(serve.server.port, path)
      expect([200, 400, 403, 404]).toContain(answer.status)
    }), { numRuns: 200 })
    expect((await client.invoke('sim:get-status')).ok).toBe(true)
    expect((await client.invoke('sim:get-snapshot')).value?.scenario).toBe('two-hosts')
    client.socket.close()
    await expectAlive(serve)
  })

  it('caps experiments at once: of 12 started together, all but 2 are refused at once as busy', async () => {
    running = await startServe({ port: 0, rendererDir, initialScenario: null })
    const client = new Client(await connect(wsUrl(running)))
    const job = { scenario: 'two-hosts', policies: ['none'], seeds: [1], hours: 0.1 }
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.invoke('experiment:run', job)))
    const busy = answers.filter((answer) => answer.error?.code === 'busy')
    expect(busy).toHaveLength(10)
    expect(busy[0].error?.message).toMatch(/2 experiments are already running/)
    expect(answers.filter((answer) => answer.ok)).toHaveLength(2)
    // Slots free up: the next one runs.
    expect((await client.invoke('experiment:run', job)).ok).toBe(true)
    client.socket.close()
  })

  it('reports a port in use clearly, starts nothing, and the CLI exits 2 naming --port', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    const port = (blocker.address() as AddressInfo).port
    try {
      await expect(startServe({ port, rendererDir })).rejects.toThrow(PortUnavailableError)
      await expect(startServe({ port, rendererDir })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`)
      const cli = spawnSync(process.execPath, ['bin/cutover.js', 'serve', '--port', String(port)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
      expect(cli.status).toBe(2)
      expect(cli.stderr).toContain(`--port ${port}`)
      expect(cli.stderr).toContain('already in use')
      expect(cli.stderr).not.toMatch(/\n\s+at /) // no stack trace
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})

// Browser mode: serves the built renderer and carries the IPC contract over a WebSocket, bound to 127.0.0.1
// only. The WebSocket demands the random token from the page URL and a same-origin Origin header, so other
// local pages cannot drive the engine.
import { createServer, type Server } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Dispatch } from '../ipc/dispatch'
import type { PushChannel, PushPayload } from '../ipc/contract'
import { serveStatic } from './static-files'
import { decodeClientMessage, encodePush, encodePushJson } from './wire'

export const LOOPBACK_HOST = '127.0.0.1'
/** A client whose socket holds more than this is slow: pushes to it are dropped (the next one supersedes). */
const BACKPRESSURE_BYTES = 1 << 20

export interface BrowserServerOptions {
  readonly port: number
  readonly rendererDir: string
  readonly dispatch: Dispatch
  readonly token?: string
  readonly log?: (message: string) => void
}

export interface BrowserServer {
  readonly url: string
  readonly port: number
  readonly token: string
  push<C extends PushChannel>(channel: C, payload: PushPayload<C>): void
  /** Pushes a payload that is already JSON text. */
  pushJson(channel: PushChannel, json: string): void
  clientCount(): number
  close(): Promise<void>
}

function tokensMatch(expected: string, given: string | null): boolean {
  if (given === null) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const log = options.log ?? (() => {})
  const httpServer: Server = createServer((request, response) => serveStatic(options.rendererDir, request, response))
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 })
  let origin = ''

  httpServer.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${LOOPBACK_HOST}`)
    const allowed = url.pathname === '/ws' && tokensMatch(token, url.searchParams.get('token')) &&
      (request.headers.origin === undefined || request.headers.origin === origin)
    if (!allowed) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data) => void answer(ws, data.toString()))
  })

  async function answer(ws: WebSocket, text: string): Promise<void> {
    const message = decodeClientMessage(text)
    if (message === undefined) { log('dropped a malformed WebSocket message'); return }
    const result = await options.dispatch(message.channel, message.payload)
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: message.id, result }))
  }

  function sendFrame(frame: string): void {
    for (const client of wss.clients) {
      if (client.readyState === client.OPEN && client.bufferedAmount < BACKPRESSURE_BYTES) client.send(frame)
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(options.port, LOOPBACK_HOST, () => resolve())
  })
  const port = (httpServer.address() as AddressInfo).port
  origin = `http://${LOOPBACK_HOST}:${port}`

  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    push(channel, payload) {
      if (wss.clients.size === 0) return // nobody to tell: skip the serialisation
      sendFrame(encodePush(channel, payload))
    },
    pushJson(channel, json) {
      if (wss.clients.size > 0) sendFrame(encodePushJson(channel, json))
    },
    clientCount: () => wss.clients.size,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => httpServer.close(() => resolve()))
    }
  }
}

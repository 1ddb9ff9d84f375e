// Browser mode: serves the built renderer and carries the IPC contract over a WebSocket, bound to 127.0.0.1
// only. The WebSocket demands the random token from the page URL and a same-origin Origin header, so other
// local pages cannot drive the engine; a Host header other than 127.0.0.1/localhost:PORT is refused, so a
// DNS-rebinding page cannot either. Hostile input (malformed paths, oversized frames, floods of requests)
// costs at most the offending socket, never the process.
import { createServer, type Server } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Dispatch } from '../ipc/dispatch'
import { SCENARIO_FILE_CHARS_MAX, type PushChannel, type PushPayload } from '../ipc/contract'
import { fail } from '../ipc/result'
import { sendText, serveStatic } from './static-files'
import { allowedHosts, rawSecurityHeaderLines } from './security-headers'
import { decodeClientMessage, encodePush, encodePushJson } from './wire'

export const LOOPBACK_HOST = '127.0.0.1'
/** A client whose socket holds more than this is slow: pushes to it are dropped (the next one supersedes). */
const BACKPRESSURE_BYTES = 1 << 20
/**
 * The largest frame a client may send: the largest scenario file the contract accepts, JSON-escaped inside its
 * request. UTF-8 takes at most 3 bytes per UTF-16 code unit (JSON escapes of the whitespace a file may hold
 * take 2), plus room for the envelope. A bigger frame closes that socket with 1009 (message too big).
 */
export const FRAME_BYTES_MAX = 3 * SCENARIO_FILE_CHARS_MAX + 64 * 1024
/** Requests one client may have unanswered at once; more are refused at once instead of queueing without bound. */
export const IN_FLIGHT_PER_CLIENT_MAX = 64

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
  /** Requests received and not yet answered, over all clients (a leak shows here). */
  inFlightCount(): number
  close(): Promise<void>
}

/** The port is taken (or cannot be bound): the message says which and what to do. */
export class PortUnavailableError extends Error {
  override readonly name = 'PortUnavailableError'
}

function tokensMatch(expected: string, given: string | null): boolean {
  if (given === null) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${rawSecurityHeaderLines()}\r\n`)
  socket.destroy()
}

function listen(httpServer: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const why = error.code === 'EADDRINUSE' ? 'is already in use (pick another with --port, or 0 for a free one)'
        : error.code === 'EACCES' ? 'needs privileges this user does not have (use a port above 1023)'
          : `cannot be bound (${error.message})`
      reject(new PortUnavailableError(`port ${port} on ${LOOPBACK_HOST} ${why}`))
    }
    httpServer.once('error', onError)
    httpServer.listen(port, LOOPBACK_HOST, () => {
      httpServer.off('error', onError)
      resolve()
    })
  })
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const log = options.log ?? (() => {})
  let hosts: ReadonlySet<string> = new Set()
  let origins: ReadonlySet<string> = new Set()
  let inFlight = 0
  const hostAllowed = (host: string | undefined): boolean => host !== undefined && hosts.has(host.toLowerCase())

  const httpServer: Server = createServer((request, response) => {
    if (!hostAllowed(request.headers.host)) return sendText(response, 421, 'unexpected Host header')
    serveStatic(options.rendererDir, request, response)
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: FRAME_BYTES_MAX })

  httpServer.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy())
    if (!hostAllowed(request.headers.host)) return refuseUpgrade(socket, '421 Misdirected Request')
    let url: URL
    try {
      url = new URL(request.url ?? '/', `http://${LOOPBACK_HOST}`)
    } catch {
      return refuseUpgrade(socket, '400 Bad Request')
    }
    const allowed = url.pathname === '/ws' && tokensMatch(token, url.searchParams.get('token')) &&
      (request.headers.origin === undefined || origins.has(request.headers.origin))
    if (!allowed) return refuseUpgrade(socket, '403 Forbidden')
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  wss.on('connection', (ws: WebSocket) => {
    let clientInFlight = 0
    // An oversized or malformed frame: ws has already closed this socket (1009 / 1002); the others carry on.
    ws.on('error', (error) => log(`closed a client: ${error.message}`))
    ws.on('message', (data) => {
      if (clientInFlight >= IN_FLIGHT_PER_CLIENT_MAX) {
        const message = decodeClientMessage(data.toString())
        if (message !== undefined) reply(ws, message.id, fail('busy', `more than ${IN_FLIGHT_PER_CLIENT_MAX} requests unanswered; wait for some answers`))
        return
      }
      clientInFlight++
      inFlight++
      void answer(ws, data.toString()).finally(() => { clientInFlight--; inFlight-- })
    })
  })

  function reply(ws: WebSocket, id: number, result: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id, result }))
  }

  async function answer(ws: WebSocket, text: string): Promise<void> {
    const message = decodeClientMessage(text)
    if (message === undefined) { log('dropped a malformed WebSocket message'); return }
    try {
      reply(ws, message.id, await options.dispatch(message.channel, message.payload))
    } catch (error) {
      // The dispatcher turns handler throws into Results; this is a last guard so nothing escapes the socket.
      reply(ws, message.id, fail('internal', error instanceof Error ? error.message : String(error)))
    }
  }

  function sendFrame(frame: string): void {
    for (const client of wss.clients) {
      if (client.readyState === client.OPEN && client.bufferedAmount < BACKPRESSURE_BYTES) client.send(frame)
    }
  }

  await listen(httpServer, options.port)
  const port = (httpServer.address() as AddressInfo).port
  hosts = allowedHosts(port)
  origins = new Set([...hosts].map((host) => `http://${host}`))
  const origin = `http://${LOOPBACK_HOST}:${port}`

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
    inFlightCount: () => inFlight,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => httpServer.close(() => resolve()))
    }
  }
}

// A small QMP client over a unix socket: line-delimited JSON, answers in command order, events interleaved.
import { connect, type Socket } from 'node:net'

export interface QmpEvent {
  readonly event: string
  readonly data?: Record<string, unknown>
  readonly timestamp: { readonly seconds: number; readonly microseconds: number }
}

interface Pending {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly command: string
}

export class QmpClient {
  readonly events: QmpEvent[] = []
  private buffer = ''
  private readonly pending: Pending[] = []
  private greeted: (() => void) | undefined
  private closedError: Error | undefined

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => this.onData(chunk))
    const fail = (error: Error): void => {
      this.closedError = error
      for (const waiter of this.pending.splice(0)) waiter.reject(new Error(`QMP ${waiter.command}: ${error.message}`))
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('connection closed')))
  }

  /** Connects (retrying while QEMU creates the socket) and negotiates capabilities. */
  static async open(path: string, timeoutMs: number): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path)
          s.once('connect', () => resolve(s))
          s.once('error', reject)
        })
        const client = new QmpClient(socket)
        await new Promise<void>((resolve) => { client.greeted = resolve })
        await client.execute('qmp_capabilities')
        return client
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`QMP socket ${path}: ${(error as Error).message}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError !== undefined) return Promise.reject(new Error(`QMP ${command}: ${this.closedError.message}`))
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (value: unknown) => void, reject, command })
      this.socket.write(JSON.stringify(args === undefined ? { execute: command } : { execute: command, arguments: args }) + '\n')
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: string): void {
    this.buffer += chunk
    let newline: number
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim()
      this.buffer = this.buffer.slice(newline + 1)
      if (line === '') continue
      const message = JSON.parse(line) as Record<string, unknown>
      if ('QMP' in message) { this.greeted?.(); this.greeted = undefined; continue }
      if ('event' in message) { this.events.push(message as unknown as QmpEvent); continue }
      const waiter = this.pending.shift()
      if (waiter === undefined) continue
      if ('error' in message) {
        const error = message.error as { desc?: string; class?: string }
        waiter.reject(new Error(`QMP ${waiter.command}: ${error.desc ?? error.class ?? 'error'}`))
      } else waiter.resolve(message.return)
    }
  }
}

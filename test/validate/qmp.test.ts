// The QMP client against a scripted QMP server on a unix socket: greeting, capabilities negotiation, answers in
// command order with events interleaved, errors as rejections, and pending commands rejected when QEMU goes away.
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type Server, type Socket } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QmpClient } from '../../validate/qemu/qmp'

let server: Server | undefined
let dir: string | undefined

afterEach(() => {
  server?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

function fakeQemu(onCommand: (command: { execute: string; arguments?: unknown }, socket: Socket) => void): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'qmp-'))
  const path = join(dir, 'qmp.sock')
  server = createServer((socket) => {
    socket.write(JSON.stringify({ QMP: { version: { qemu: { major: 10, minor: 0, micro: 2 } }, capabilities: [] } }) + '\r\n')
    let buffer = ''
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      let newline: number
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        onCommand(JSON.parse(line) as { execute: string }, socket)
      }
    })
  })
  return new Promise((resolve) => server?.listen(path, () => resolve(path)))
}

describe('QmpClient', () => {
  it('negotiates, answers in order and collects events in between', async () => {
    const seen: string[] = []
    const path = await fakeQemu((command, socket) => {
      seen.push(command.execute)
      if (command.execute === 'query-migrate') {
        socket.write(JSON.stringify({ event: 'MIGRATION_PASS', data: { pass: 2 }, timestamp: { seconds: 1, microseconds: 5 } }) + '\r\n')
        socket.write(JSON.stringify({ return: { status: 'active', ram: { transferred: 4096 } } }) + '\r\n')
      } else if (command.execute === 'migrate') {
        socket.write(JSON.stringify({ error: { class: 'GenericError', desc: 'Migration is disabled' } }) + '\r\n')
      } else socket.write(JSON.stringify({ return: {} }) + '\r\n')
    })
    const client = await QmpClient.open(path, 5000)
    const info = await client.execute<{ status: string; ram: { transferred: number } }>('query-migrate')
    expect(info).toEqual({ status: 'active', ram: { transferred: 4096 } })
    await expect(client.execute('migrate', { uri: 'tcp:127.0.0.1:1' })).rejects.toThrow('QMP migrate: Migration is disabled')
    expect(client.events.map((event) => [event.event, event.data?.pass])).toEqual([['MIGRATION_PASS', 2]])
    expect(seen).toEqual(['qmp_capabilities', 'query-migrate', 'migrate'])
    client.close()
  })

  it('rejects a pending command when the connection drops', async () => {
    const path = await fakeQemu((command, socket) => {
      if (command.execute === 'qmp_capabilities') socket.write(JSON.stringify({ return: {} }) + '\r\n')
      else socket.destroy()
    })
    const client = await QmpClient.open(path, 5000)
    await expect(client.execute('query-migrate')).rejects.toThrow(/QMP query-migrate: connection closed/)
    await expect(client.execute('query-status')).rejects.toThrow(/connection closed/)
  })

  it('gives up on a socket nobody serves', async () => {
    dir = mkdtempSync(join(tmpdir(), 'qmp-'))
    await expect(QmpClient.open(join(dir, 'absent.sock'), 300)).rejects.toThrow(/absent\.sock/)
  })
})

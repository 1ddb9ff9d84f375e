// How fast one TCP stream writes over 127.0.0.1 on this machine. On loopback a send call also runs the receiving
// side's TCP processing, so this is what QEMU's final copy costs the source per byte even when the socket buffers
// have room: Cutover is told it as `--socket-write-mbit`. Measured like QEMU writes (256 KiB writes, a reader
// draining), the median of a few transfers; it moves with the machine's load, so the harness records it per --out.
import { createServer, connect, type AddressInfo } from 'node:net'

const CHUNK_BYTES = 256 * 1024

/** One transfer of `totalBytes` to a draining reader on 127.0.0.1: Mbit/s from the first write to the last byte read. */
export function loopbackTransferMbit(totalBytes: number, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(CHUNK_BYTES, 0x5a)
    let startNs = 0n
    let receivedBytes = 0
    const server = createServer((socket) => {
      socket.on('data', (data: Buffer) => {
        receivedBytes += data.length
        if (receivedBytes < totalBytes) return
        clearTimeout(timer)
        const us = Number(process.hrtime.bigint() - startNs) / 1000
        socket.destroy()
        server.close()
        resolve((totalBytes * 8) / us)
      })
    })
    const timer = setTimeout(() => { server.close(); reject(new Error(`loopback transfer did not finish in ${timeoutMs} ms`)) }, timeoutMs)
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const client = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        startNs = process.hrtime.bigint()
        let sentBytes = 0
        const pump = (): void => {
          while (sentBytes < totalBytes) {
            sentBytes += CHUNK_BYTES
            if (!client.write(chunk)) { client.once('drain', pump); return }
          }
          client.end()
        }
        pump()
      })
      client.on('error', reject)
    })
  })
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The median of `runs` transfers of 128 MiB (Mbit/s); null where loopback TCP cannot be used here. */
export async function machineLoopbackMbit(runs = 3, totalBytes = 128 * 2 ** 20): Promise<number | null> {
  const rates: number[] = []
  try {
    for (let run = 0; run < runs; run++) rates.push(await loopbackTransferMbit(totalBytes))
  } catch {
    return null
  }
  return median(rates)
}

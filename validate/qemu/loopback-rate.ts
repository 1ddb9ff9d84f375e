// How fast one TCP stream writes over 127.0.0.1 on this machine. On loopback a send call also runs the receiving
// side's TCP processing, so this is what QEMU's final copy costs the source per byte even when the socket buffers
// have room: Cutover is told it as `--socket-write-mbit`. Measured the way QEMU writes by a small C program
// (loopback/loopback-writer.c: blocking writev of 64 iovecs, default socket buffers, a separate receiving process),
// built by the set-up into the cache; where it cannot be built or run, by Node (a lower bound: its event loop
// adds per-write cost QEMU does not have), with a note. The median of a few transfers; it moves with the
// machine's load, so the harness records it per --out.
import { execFile } from 'node:child_process'
import { createServer, connect, type AddressInfo } from 'node:net'
import { z } from 'zod'
import { ensureLoopbackWriter } from './setup'

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
    let client: ReturnType<typeof connect> | undefined
    const timer = setTimeout(() => {
      client?.destroy()
      server.close()
      reject(new Error(`loopback transfer did not finish in ${timeoutMs} ms`))
    }, timeoutMs)
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const sender = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        startNs = process.hrtime.bigint()
        let sentBytes = 0
        const pump = (): void => {
          while (sentBytes < totalBytes) {
            sentBytes += CHUNK_BYTES
            if (!sender.write(chunk)) { sender.once('drain', pump); return }
          }
          sender.end()
        }
        pump()
      })
      client = sender
      sender.on('error', reject)
    })
  })
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const WriterSampleSchema = z.object({
  bytes: z.number().int().positive(),
  writeUs: z.number().positive(),
  deliverUs: z.number().positive()
})
export type WriterSample = z.infer<typeof WriterSampleSchema>

/** The C writer's stdout, one JSON line per transfer; throws naming the line and field where it is not that. */
export function parseWriterOutput(stdout: string): WriterSample[] {
  const lines = stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '')
  if (lines.length === 0) throw new Error('loopback-writer printed no transfer')
  return lines.map((line, index) => {
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      throw new Error(`loopback-writer line ${index + 1} is not JSON: ${line.slice(0, 80)}`)
    }
    const parsed = WriterSampleSchema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new Error(`loopback-writer line ${index + 1}: ${issue.path.join('.') || '(line)'}: ${issue.message}`)
    }
    return parsed.data
  })
}

/** One transfer's rate, from the first write to the receiver's last byte (as the Node measurement): Mbit/s. */
export function writerSampleMbit(sample: WriterSample): number {
  return (sample.bytes * 8) / sample.deliverUs
}

/** The median of `runs` transfers by the C writer at `binary` (Mbit/s); rejects where it fails or hangs. */
export function writerLoopbackMbit(binary: string, runs: number, totalBytes: number, timeoutMs = 30_000 * runs): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(binary, [String(totalBytes), String(runs)], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error !== null) { reject(new Error(`loopback-writer failed: ${stderr.trim() || error.message}`)); return }
      try {
        resolve(median(parseWriterOutput(stdout).map(writerSampleMbit)))
      } catch (parseError) {
        reject(parseError as Error)
      }
    })
  })
}

export interface LoopbackRateOptions {
  /** The C writer's path, built if needed (throws where it cannot be: no gcc). */
  readonly writer?: () => string
  /** Where the note about a fallback to Node goes. */
  readonly note?: (line: string) => void
}

/**
 * The median of `runs` transfers of 128 MiB (Mbit/s), by the C writer; by Node, with a note, where the writer
 * cannot be built or run; null where loopback TCP cannot be used here at all.
 */
export async function machineLoopbackMbit(runs = 3, totalBytes = 128 * 2 ** 20, options: LoopbackRateOptions = {}): Promise<number | null> {
  const note = options.note ?? ((line: string) => process.stderr.write(line + '\n'))
  try {
    const binary = (options.writer ?? ensureLoopbackWriter)()
    return await writerLoopbackMbit(binary, runs, totalBytes)
  } catch (error) {
    note(`loopback rate: ${(error as Error).message}; measured with Node instead (a lower bound of QEMU's writer)`)
  }
  const rates: number[] = []
  try {
    for (let run = 0; run < runs; run++) rates.push(await loopbackTransferMbit(totalBytes))
  } catch {
    return null
  }
  return median(rates)
}

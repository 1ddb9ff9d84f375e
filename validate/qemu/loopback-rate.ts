// How fast one TCP stream writes over 127.0.0.1 on this machine. On loopback a send call also runs the receiving
// side's TCP processing, so this is what QEMU's final copy costs the source per byte even when the socket buffers
// have room: Cutover is told it as `--socket-write-mbit`. Measured the way QEMU writes by a small C program
// (loopback/loopback-writer.c: blocking writev of 64 iovecs, default socket buffers, a separate receiving process),
// built by the set-up into the cache; where it cannot be built or run, by Node (a lower bound: its event loop
// adds per-write cost QEMU does not have), with a note. The figure is a 128 MiB transfer on a new connection,
// from the first write to the receiver's last byte. Each transfer is followed by a 16 MiB burst into the drained,
// warmed connection (the writer's clock), kept beside it: the burst goes about twice as fast, idle or loaded, and
// faster than QEMU's own final copies (docs/validation.md), so it is recorded, not used. The median of a few
// transfers; it moves with the machine's load, so the harness records it per --out.
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
  deliverUs: z.number().positive(),
  /** The burst after the transfer (BURST_BYTES given): its size, its writer's clock and its delivery. */
  burstBytes: z.number().int().positive().optional(),
  burstWriteUs: z.number().positive().optional(),
  burstDeliverUs: z.number().positive().optional()
}).refine((sample) => [sample.burstBytes, sample.burstWriteUs, sample.burstDeliverUs].every((value) => value === undefined) ||
  [sample.burstBytes, sample.burstWriteUs, sample.burstDeliverUs].every((value) => value !== undefined),
{ message: 'burstBytes, burstWriteUs and burstDeliverUs come together', path: ['burstBytes'] })
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

/** A burst's rate on the writer's clock (Mbit/s): what a stopped source writes into drained buffers. Null without a burst. */
export function writerSampleBurstMbit(sample: WriterSample): number | null {
  return sample.burstBytes === undefined || sample.burstWriteUs === undefined ? null : (sample.burstBytes * 8) / sample.burstWriteUs
}

/** The writer's samples at `binary`: `runs` transfers of `totalBytes`, each followed by a burst where `burstBytes` > 0. */
export function writerSamples(binary: string, runs: number, totalBytes: number, burstBytes = 0, timeoutMs = 30_000 * runs): Promise<WriterSample[]> {
  const args = [String(totalBytes), String(runs), ...(burstBytes > 0 ? [String(burstBytes)] : [])]
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error !== null) { reject(new Error(`loopback-writer failed: ${stderr.trim() || error.message}`)); return }
      try {
        resolve(parseWriterOutput(stdout))
      } catch (parseError) {
        reject(parseError as Error)
      }
    })
  })
}

/** The median of `runs` sustained transfers by the C writer at `binary` (Mbit/s); rejects where it fails or hangs. */
export async function writerLoopbackMbit(binary: string, runs: number, totalBytes: number, timeoutMs = 30_000 * runs): Promise<number> {
  return median((await writerSamples(binary, runs, totalBytes, 0, timeoutMs)).map(writerSampleMbit))
}

/** What the writer measured: the transfers' rate (the figure used) and the bursts' rate on the writer's clock. */
export interface WriterRates {
  readonly burstWriteMbit: number
  readonly sustainedMbit: number
}

/** The medians of `runs` warm-ups of `totalBytes` and their bursts of `burstBytes`, by the C writer at `binary`. */
export async function writerBurstRates(binary: string, runs: number, totalBytes: number, burstBytes: number): Promise<WriterRates> {
  const samples = await writerSamples(binary, runs, totalBytes, burstBytes)
  const bursts = samples.map(writerSampleBurstMbit)
  if (bursts.some((rate) => rate === null)) throw new Error('loopback-writer printed a transfer without its burst')
  return { burstWriteMbit: median(bursts as number[]), sustainedMbit: median(samples.map(writerSampleMbit)) }
}

export interface LoopbackRateOptions {
  /** The C writer's path, built if needed (throws where it cannot be: no gcc). */
  readonly writer?: () => string
  /** Where the note about a fallback to Node goes. */
  readonly note?: (line: string) => void
}

/** The burst: about one final copy at 400 Mbit/s × 300 ms (QEMU's were 12–36 MB here), inside the 36 MiB of buffers. */
export const BURST_BYTES = 16 * 2 ** 20
/** The transfer before it, whose rate is the figure used (also long enough to warm the connection up). */
export const TRANSFER_BYTES = 128 * 2 ** 20

/**
 * The median of `runs` transfers of `totalBytes` (Mbit/s), each followed by a burst of `burstBytes`, by the C
 * writer; by Node, with a note, where the writer cannot be built or run (no burst); null where loopback TCP cannot
 * be used here at all. `onRates` hears the writer's two figures.
 */
export async function machineLoopbackMbit(runs = 3, totalBytes = TRANSFER_BYTES, options: LoopbackRateOptions & {
  readonly burstBytes?: number
  readonly onRates?: (rates: WriterRates) => void
} = {}): Promise<number | null> {
  const note = options.note ?? ((line: string) => process.stderr.write(line + '\n'))
  try {
    const binary = (options.writer ?? ensureLoopbackWriter)()
    const rates = await writerBurstRates(binary, runs, totalBytes, options.burstBytes ?? BURST_BYTES)
    options.onRates?.(rates)
    return rates.sustainedMbit
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

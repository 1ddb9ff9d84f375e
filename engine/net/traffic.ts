// Traffic clients and control messages riding the packet model. A request/response client behaves like a
// web client over TCP: one request at a time, think time between, retransmission on an RTO that follows
// RFC 6298 with Linux's 200 ms floor and doubles per retry. A datagram client is a game-like UDP sender:
// one datagram per period, echoed by the server, never retransmitted.
import { assert } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import type { Rng } from '../kernel/rng'
import { msToUs, sToUs } from '../kernel/time'
import { ClientStats } from './client-stats'
import type { Endpoint } from './endpoint'
import type { IpPacket } from './frame'
import type { IpStack, PacketApps } from './stack'
import type { NetSim, PacketDropReason } from './types'

export interface RequestClientOptions {
  readonly id: string
  /** Sending endpoint (a client, host or VM) and answering endpoint (usually a VM). */
  readonly from: string
  readonly to: string
  /** Absent = 300. */
  readonly requestBytes?: number
  /** Absent = 1,500. */
  readonly replyBytes?: number
  /** Pause after a reply before the next request; absent = 10 ms. Plus uniform 0…thinkJitterUs (absent = 0). */
  readonly thinkUs?: number
  readonly thinkJitterUs?: number
  /** Server time before replying; absent = 0. */
  readonly serviceUs?: number
  /** RTO floor (Linux tcp_rto_min), first RTO before any RTT sample, and ceiling; absent = 200 ms, 1 s, 120 s. */
  readonly rtoMinUs?: number
  readonly rtoInitialUs?: number
  readonly rtoMaxUs?: number
  /** Absent = now. */
  readonly startAtUs?: number
  /** Gaps between replies longer than this are listed and announced; absent = 100 ms. */
  readonly gapNoticeUs?: number
  /** Keep only about the last this many latencies (default: all). */
  readonly latencyWindow?: number
}

export interface DatagramClientOptions {
  readonly id: string
  readonly from: string
  readonly to: string
  readonly periodUs: number
  /** Absent = 100 each way; replyBytes 0 = no echo. */
  readonly bytes?: number
  readonly replyBytes?: number
  readonly startAtUs?: number
  readonly gapNoticeUs?: number
}

export interface MessageOptions {
  readonly from: string
  readonly to: string
  readonly bytes: number
  readonly label?: string
  readonly onDelivered?: (atUs: number) => void
  readonly onLost?: (reason: PacketDropReason) => void
}

/** What the clients need from the LAN. */
export interface TrafficContext {
  readonly sim: NetSim
  readonly stack: IpStack
  endpoint(id: string): Endpoint
}

export type TrafficClient = RequestClient | DatagramClient

abstract class ClientBase {
  readonly stats: ClientStats
  protected timer: Timer | undefined
  protected stopped = false

  constructor(
    protected readonly context: TrafficContext,
    readonly app: number,
    readonly id: string,
    readonly source: Endpoint,
    readonly target: Endpoint,
    gapNoticeUs: number,
    latencyWindow?: number
  ) {
    this.stats = new ClientStats(gapNoticeUs, latencyWindow)
  }

  stop(): void {
    this.stopped = true
    this.context.sim.cancel(this.timer)
    this.timer = undefined
  }

  protected recordReply(latencyUs: number): void {
    const gapUs = this.stats.noteReply(this.context.sim.nowUs, latencyUs)
    if (gapUs > 0) this.context.sim.emit({ kind: 'net.clientGapEnded', clientId: this.id, gapUs })
  }

  lost(packet: IpPacket, reason: PacketDropReason): void {
    const leg = packet.kind === 'request' || packet.kind === 'datagram' ? 'request' : 'reply'
    this.stats.noteLost({ seq: packet.seq, sentAtUs: this.sentAt(packet.seq), reason, leg })
  }

  abstract reply(packet: IpPacket): void
  protected abstract sentAt(seq: number): number
}

export class RequestClient extends ClientBase {
  readonly kind = 'request'
  private seq = 0
  private attempt = 0
  private firstSentAtUs = 0
  private lastSentAtUs = 0
  private answered = true
  private srttUs = -1
  private rttvarUs = 0
  private rtoUs: number

  constructor(context: TrafficContext, app: number, private readonly options: RequestClientOptions, private readonly rng: Rng) {
    super(context, app, options.id, context.endpoint(options.from), context.endpoint(options.to), options.gapNoticeUs ?? msToUs(100), options.latencyWindow)
    assert((options.replyBytes ?? 1) > 0 && (options.requestBytes ?? 1) > 0, `request client ${options.id} needs positive request and reply sizes`)
    this.rtoUs = options.rtoInitialUs ?? sToUs(1)
    this.timer = context.sim.scheduleAt(Math.max(options.startAtUs ?? 0, context.sim.nowUs), () => this.next())
  }

  /** Current retransmission timeout. */
  get rtoNowUs(): number {
    return this.rtoUs
  }

  reply(packet: IpPacket): void {
    if (packet.seq !== this.seq || this.answered) return
    const sim = this.context.sim
    this.answered = true
    sim.cancel(this.timer)
    if (this.attempt === 1) this.sampleRtt(sim.nowUs - this.lastSentAtUs)
    this.recordReply(sim.nowUs - this.firstSentAtUs)
    if (this.stopped) return
    const jitterUs = this.options.thinkJitterUs ?? 0
    const thinkUs = (this.options.thinkUs ?? msToUs(10)) + (jitterUs > 0 ? this.rng.intBetween(0, jitterUs) : 0)
    this.timer = sim.schedule(thinkUs, () => this.next())
  }

  protected sentAt(seq: number): number {
    return seq === this.seq ? this.lastSentAtUs : -1
  }

  private next(): void {
    if (this.stopped) return
    this.seq++
    this.attempt = 0
    this.answered = false
    this.firstSentAtUs = this.context.sim.nowUs
    this.stats.requests++
    this.transmit()
  }

  private transmit(): void {
    const sim = this.context.sim
    this.attempt++
    this.stats.transmissions++
    if (this.attempt > 1) this.stats.retransmissions++
    this.lastSentAtUs = sim.nowUs
    this.stats.noteSent(sim.nowUs)
    this.timer = sim.schedule(this.rtoUs, () => this.timeout())
    this.context.stack.send(this.source, {
      dstIp: this.target.ip, bytes: this.options.requestBytes ?? 300, kind: 'request', app: this.app, seq: this.seq,
      replyBytes: this.options.replyBytes ?? 1_500, serviceUs: this.options.serviceUs ?? 0
    })
  }

  private timeout(): void {
    this.rtoUs = Math.min(this.rtoUs * 2, this.options.rtoMaxUs ?? sToUs(120))
    this.transmit()
  }

  /** RFC 6298 smoothing; RTO = SRTT + max(4·RTTVAR, floor), as Linux computes it. */
  private sampleRtt(rttUs: number): void {
    if (this.srttUs < 0) {
      this.srttUs = rttUs
      this.rttvarUs = Math.floor(rttUs / 2)
    } else {
      this.rttvarUs = Math.floor((3 * this.rttvarUs + Math.abs(this.srttUs - rttUs)) / 4)
      this.srttUs = Math.floor((7 * this.srttUs + rttUs) / 8)
    }
    const floorUs = this.options.rtoMinUs ?? msToUs(200)
    this.rtoUs = Math.min(this.srttUs + Math.max(4 * this.rttvarUs, floorUs), this.options.rtoMaxUs ?? sToUs(120))
  }
}

export class DatagramClient extends ClientBase {
  readonly kind = 'datagram'
  private seq = 0
  /** Send time per sequence number; -1 once answered. */
  private readonly sends: number[] = [0]
  private readonly onTick = (): void => this.tick()

  constructor(context: TrafficContext, app: number, private readonly options: DatagramClientOptions) {
    super(context, app, options.id, context.endpoint(options.from), context.endpoint(options.to), options.gapNoticeUs ?? msToUs(100))
    assert(Number.isSafeInteger(options.periodUs) && options.periodUs > 0, `datagram period must be a positive integer µs, got ${options.periodUs}`)
    this.timer = context.sim.scheduleAt(Math.max(options.startAtUs ?? 0, context.sim.nowUs), this.onTick)
  }

  reply(packet: IpPacket): void {
    const sentAtUs = this.sends[packet.seq]
    if (sentAtUs === undefined || sentAtUs < 0) return
    this.sends[packet.seq] = -1
    this.recordReply(this.context.sim.nowUs - sentAtUs)
  }

  protected sentAt(seq: number): number {
    return this.sends[seq] ?? -1
  }

  private tick(): void {
    if (this.stopped) return
    const sim = this.context.sim
    this.seq++
    this.sends.push(sim.nowUs)
    this.stats.requests++
    this.stats.transmissions++
    this.stats.noteSent(sim.nowUs)
    this.timer = sim.schedule(this.options.periodUs, this.onTick)
    this.context.stack.send(this.source, {
      dstIp: this.target.ip, bytes: this.options.bytes ?? 100, kind: 'datagram', app: this.app, seq: this.seq,
      replyBytes: this.options.replyBytes ?? 100
    })
  }
}

/** Owns every client and pending control message; routes packet fates to them. */
export class Traffic implements PacketApps {
  readonly clients: TrafficClient[] = []
  private readonly clientsById = new Map<string, TrafficClient>()
  private readonly messages = new Map<number, MessageOptions>()
  private nextMessage = 1

  constructor(private readonly context: TrafficContext) {}

  addRequestClient(options: RequestClientOptions): RequestClient {
    this.checkNew(options.id)
    const client = new RequestClient(this.context, this.clients.length, options, this.context.sim.rng(`net/client/${options.id}`))
    return this.register(client)
  }

  addDatagramClient(options: DatagramClientOptions): DatagramClient {
    this.checkNew(options.id)
    return this.register(new DatagramClient(this.context, this.clients.length, options))
  }

  client(id: string): TrafficClient {
    const client = this.clientsById.get(id)
    assert(client !== undefined, `unknown traffic client ${id}`)
    return client
  }

  sendMessage(options: MessageOptions): number {
    assert(Number.isSafeInteger(options.bytes) && options.bytes > 0, `message bytes must be a positive integer, got ${options.bytes}`)
    const id = this.nextMessage++
    this.messages.set(id, options)
    const source = this.context.endpoint(options.from)
    const target = this.context.endpoint(options.to)
    this.context.stack.send(source, { dstIp: target.ip, bytes: options.bytes, kind: 'message', app: id, seq: 0 })
    return id
  }

  onReply(endpoint: Endpoint, packet: IpPacket): void {
    const client = this.clients[packet.app]
    if (client !== undefined && client.source === endpoint) client.reply(packet)
  }

  onMessage(_endpoint: Endpoint, packet: IpPacket): void {
    const message = this.messages.get(packet.app)
    if (message === undefined) return
    this.messages.delete(packet.app)
    message.onDelivered?.(this.context.sim.nowUs)
  }

  onLost(packet: IpPacket, reason: PacketDropReason): void {
    if (packet.kind === 'message') {
      const message = this.messages.get(packet.app)
      this.messages.delete(packet.app)
      message?.onLost?.(reason)
      return
    }
    this.clients[packet.app]?.lost(packet, reason)
  }

  private checkNew(id: string): void {
    assert(!this.clientsById.has(id), `duplicate traffic client id ${id}`)
  }

  private register<T extends TrafficClient>(client: T): T {
    this.clients.push(client)
    this.clientsById.set(client.id, client)
    return client
  }
}

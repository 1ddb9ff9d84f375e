// `cutover migrate`: one VM, two hosts on one switch, one migration with the chosen strategy (see
// cli-contract.md for every flag and JSON field). Faults are KIND@STAGE or KIND@TIME (e.g. dest-crash@commit,
// link-down@12.5s); a path fault may last FOR seconds (link-down@2s+1.5s). `--trace-out FILE` writes every
// engine event as JSON lines. `--vms N` migrates N VMs from the same source together (or `--stagger-s` apart)
// so their migrations contend for the links; one result per VM.
import { createWriteStream, openSync } from 'node:fs'
import type { Command } from 'commander'
import { sToUs, DEFAULT_PARAMS, STRATEGIES, STRATEGY_STAGES, parseFaultText, runMigrationLab, runMultiMigrationLab, LabMigrationLog,
  type MultiLabResult, type LabResult, type MigrationParams, type PlannedFault, type StrategyName } from '../../engine/index'
import { UsageError } from '../support/errors'
import { RunHistory } from '../support/run-history'
import { checkWritableFile, parseChoiceFlag, parseNumberFlag, parseSeedFlag, printJson } from '../support/flags'
import { addWorkloadOptions, pageBytesFromFlag, workloadSpecFromFlags, type WorkloadFlags } from './wws'

/** Migration rates above 400 Gbit/s describe no NIC (and overflow the flow model's bit/s arithmetic). */
const RATE_MBIT_MAX = 400_000

interface MigrateFlags extends WorkloadFlags {
  strategy: StrategyName
  db?: string
  pageKib: number
  warmupS: number
  linkMbit: number
  latencyUs: number
  rateMinMbit: number
  rateMaxMbit: number
  rateIncrementMbit: number
  maxRounds: number
  stopBelowKib: number
  maxSentFactor: number
  maxBandwidthMbit: number
  downtimeLimitMs: number
  availSwitchoverBandwidthMbit: number
  senderPagesPerS: number
  socketBufferBytes: number
  socketWriteMbit: number
  autoConverge?: boolean
  xbzrle?: boolean
  stun?: boolean
  clients: number
  arp: 'gratuitous' | 'none' | 'directed'
  macPolicy: 'moves-with-vm' | 'per-host'
  fault: PlannedFault[]
  cancelAfterS: number
  traceOut?: string
  seed: number
  json?: boolean
  vms: number
  staggerS: number
}

/** Parses KIND@STAGE, KIND@TIME (seconds with an `s`), optionally +FORs (the engine's fault grammar). */
export function parseFault(raw: string, previous: PlannedFault[] = []): PlannedFault[] {
  const parsed = parseFaultText(raw)
  if (!parsed.ok) throw new UsageError(`--fault: ${parsed.error}`)
  return [...previous, parsed.fault]
}

/** A fault planned at a stage the chosen strategy never enters would silently never fire. */
function checkFaultStages(strategy: StrategyName, faults: readonly PlannedFault[]): void {
  const stages: readonly string[] = STRATEGY_STAGES[strategy]
  for (const fault of faults) {
    if (fault.stage !== undefined && !stages.includes(fault.stage)) {
      throw new UsageError(`--fault: ${fault.kind}@${fault.stage} would never fire: --strategy ${strategy} never enters ${fault.stage} (it enters ${stages.join(', ')})`)
    }
  }
}

function paramsFromFlags(flags: MigrateFlags): MigrationParams {
  if (flags.rateMinMbit > flags.rateMaxMbit) throw new UsageError(`--rate-min-mbit: must not exceed --rate-max-mbit (${flags.rateMaxMbit}), got ${flags.rateMinMbit}`)
  return {
    ...DEFAULT_PARAMS,
    strategy: flags.strategy,
    clark: {
      ...DEFAULT_PARAMS.clark, rateMinMbitPerS: flags.rateMinMbit, rateMaxMbitPerS: flags.rateMaxMbit,
      rateIncrementMbitPerS: flags.rateIncrementMbit, maxRounds: flags.maxRounds, stopBelowKiB: flags.stopBelowKib,
      maxSentFactor: flags.maxSentFactor, stunCpuShare: flags.stun === true ? 0.1 : null
    },
    qemu: {
      ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: flags.maxBandwidthMbit, downtimeLimitMs: flags.downtimeLimitMs,
      availSwitchoverBandwidthMbitPerS: flags.availSwitchoverBandwidthMbit, senderPagesPerS: flags.senderPagesPerS, socketBufferBytes: flags.socketBufferBytes,
      socketWriteMbitPerS: flags.socketWriteMbit,
      autoConverge: flags.autoConverge === true, xbzrle: flags.xbzrle === true
    },
    cancelAfterUs: sToUs(flags.cancelAfterS)
  }
}

/** Rounds the table marks: post-copy's pause and recovery (migration.md §11.2b). */
const PHASE_NOTES: Partial<Record<LabResult['rounds'][number]['phase'], string>> = {
  'postcopy-paused': '  post-copy paused (path broken)', 'postcopy-recover': '  post-copy recover (re-send what the destination lacks)'
}

function printTable(result: LabResult): void {
  const p = result.downtimeParts
  const lines = [
    `strategy ${result.strategy}   outcome ${result.outcome}${result.abortDetail === null ? '' : ` (${result.abortDetail})`}`,
    `total ${result.totalTimeMs.toFixed(1)} ms   downtime ${result.downtimeMs.toFixed(1)} ms   client outage ${result.clientOutageMs === null ? '–' : `${result.clientOutageMs.toFixed(1)} ms`}`,
    `downtime parts: final copy ${p.finalCopyMs.toFixed(1)} ms, device state ${p.deviceStateMs.toFixed(1)} ms, commit ${p.commitMs.toFixed(1)} ms, ` +
      `announce ${p.announceMs.toFixed(1)} ms, resume ${p.resumeMs.toFixed(1)} ms${result.expectedDowntimeMs === null ? '' : `   expected at switchover ${result.expectedDowntimeMs.toFixed(1)} ms`}` +
      `${result.sourceDowntimeMs === null ? '' : `   on the source's clock ${result.sourceDowntimeMs.toFixed(1)} ms`}`,
    `sent ${(result.bytesSent / 1e6).toFixed(1)} MB in ${result.pagesSent} pages (${result.zeroPagesSent} zero)   lost writes ${result.lostWrites}   running on ${result.runningOn ?? 'nowhere'}`,
    ...(result.postcopyPausedMs === null ? [] : [
      `post-copy: ${result.postcopyFaults} faults, vCPUs blocked ${result.postcopyBlockTimeMs.toFixed(1)} ms, paused ${result.postcopyPausedMs.toFixed(1)} ms` +
        (result.lostPages > 0 ? `, ${result.lostPages} pages lost with the source` : '')
    ]),
    '', ' round   start ms  duration ms      pages         MB  rate Mbit/s  dirty after'
  ]
  for (const round of result.rounds) {
    lines.push(`${String(round.index).padStart(6)}${round.final ? '*' : ' '} ${round.startMs.toFixed(1).padStart(9)} ${round.durationMs.toFixed(1).padStart(12)} ${String(round.pagesSent).padStart(10)} ${(round.bytesSent / 1e6).toFixed(2).padStart(10)} ${String(round.rateMbitPerS).padStart(12)} ${String(round.dirtyPagesAfter).padStart(12)}${round.stopReason === null ? '' : `  stop: ${round.stopReason}`}${PHASE_NOTES[round.phase] ?? ''}`)
  }
  lines.push('', `trace ${result.traceHash}   (* = final transfer)`)
  process.stdout.write(lines.join('\n') + '\n')
}

/** Opens the trace file now (a bad path fails before the run, exit 2), as a stream over the open descriptor. */
function openTrace(path: string): ReturnType<typeof createWriteStream> {
  checkWritableFile('--trace-out', path)
  let fd: number
  try {
    fd = openSync(path, 'w')
  } catch (error) {
    throw new UsageError(`--trace-out: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  return createWriteStream(path, { fd, autoClose: true })
}

export function registerMigrateCommand(program: Command): void {
  const command = program.command('migrate').description('migrate one VM between two hosts and report every round')
    .option('--strategy <name>', STRATEGIES.join(', '), parseChoiceFlag('--strategy', STRATEGIES), 'precopy')
    .option('--page-kib <n>', 'page size (KiB)', parseNumberFlag('--page-kib', { min: 0.5, max: 2048 }), 4)
    .option('--warmup-s <s>', 'simulated seconds the workload runs before migration', parseNumberFlag('--warmup-s', { min: 0, max: 86_400 }), 3)
    .option('--link-mbit <n>', 'host link capacity (Mbit/s)', parseNumberFlag('--link-mbit', { min: 1, max: RATE_MBIT_MAX }), 1000)
    .option('--latency-us <n>', 'one-way link latency (µs)', parseNumberFlag('--latency-us', { min: 0, max: 10_000_000, integer: true }), 100)
    .option('--rate-min-mbit <n>', 'Clark: first-round rate', parseNumberFlag('--rate-min-mbit', { min: 1, max: RATE_MBIT_MAX }), 100)
    .option('--rate-max-mbit <n>', 'Clark: maximum rate', parseNumberFlag('--rate-max-mbit', { min: 1, max: RATE_MBIT_MAX }), 500)
    .option('--rate-increment-mbit <n>', 'Clark: increment over the dirty rate', parseNumberFlag('--rate-increment-mbit', { min: 0, max: RATE_MBIT_MAX }), 50)
    .option('--max-rounds <n>', 'pre-copy round cap', parseNumberFlag('--max-rounds', { min: 1, max: 10_000, integer: true }), 29)
    .option('--stop-below-kib <n>', 'stop iterating below this much left', parseNumberFlag('--stop-below-kib', { min: 0, max: 64 * 1024 * 1024 }), 256)
    .option('--max-sent-factor <n>', 'stop when more than this × memory was sent', parseNumberFlag('--max-sent-factor', { min: 1, max: 1000 }), 3)
    .option('--max-bandwidth-mbit <n>', 'QEMU: max-bandwidth', parseNumberFlag('--max-bandwidth-mbit', { min: 1, max: RATE_MBIT_MAX }), 1000)
    .option('--downtime-limit-ms <n>', 'QEMU: downtime-limit', parseNumberFlag('--downtime-limit-ms', { min: 1, max: 2_000_000 }), 300)
    .option('--avail-switchover-bandwidth-mbit <n>', 'QEMU: bandwidth assumed for the switchover decision only (0 = measured)',
      parseNumberFlag('--avail-switchover-bandwidth-mbit', { min: 0, max: RATE_MBIT_MAX }), 0)
    .option('--sender-pages-per-s <n>', 'QEMU: pages the sender visits per second while the guest runs (0 = no limit)',
      parseNumberFlag('--sender-pages-per-s', { min: 0, max: 1e9, integer: true }), 0)
    .option('--socket-buffer-bytes <n>', 'QEMU: bytes the socket takes ahead of the receiver (send buffer + receive window; 0 = none); shortens the source-side downtime only',
      parseNumberFlag('--socket-buffer-bytes', { min: 0, max: 2 ** 40, integer: true }), 0)
    .option('--socket-write-mbit <n>', 'QEMU: how fast the source writes into the socket while its buffers have room (0 = memory speed; loopback: its TCP rate)',
      parseNumberFlag('--socket-write-mbit', { min: 0, max: RATE_MBIT_MAX }), 0)
    .option('--auto-converge', 'QEMU: throttle the guest when it dirties faster than the transfer')
    .option('--xbzrle', 'QEMU: XBZRLE delta compression')
    .option('--stun', 'Clark: stun a writer dirtying faster than the maximum rate')
    .option('--clients <n>', 'clients sending requests to the VM', parseNumberFlag('--clients', { min: 0, max: 1000, integer: true }), 0)
    .option('--arp <mode>', 'cutover announcement: gratuitous, none, directed', parseChoiceFlag('--arp', ['gratuitous', 'none', 'directed'] as const), 'gratuitous')
    .option('--mac-policy <policy>', 'the VM keeps its MAC (moves-with-vm) or gets one per host (per-host)', parseChoiceFlag('--mac-policy', ['moves-with-vm', 'per-host'] as const), 'moves-with-vm')
    .option('--fault <kind@when>', 'repeatable: KIND@STAGE or KIND@12.5s, +FORs for a path fault that heals', parseFault, [])
    .option('--cancel-after-s <s>', 'abort a migration still running after this long', parseNumberFlag('--cancel-after-s', { min: 0.001, max: 86_400 }), 600)
    .option('--trace-out <file>', 'write every engine event as JSON lines')
    .option('--seed <n>', 'random seed', parseSeedFlag, 1)
    .option('--json', 'print one JSON document')
    .option('--db <path>', 'record the migration (with every round) in this history database')
    .option('--vms <n>', 'migrate this many VMs (same workload) from the same source; they share the links', parseNumberFlag('--vms', { min: 1, max: 64, integer: true }), 1)
    .option('--stagger-s <s>', 'with --vms: seconds between one migration\'s start and the next (0 = together)', parseNumberFlag('--stagger-s', { min: 0, max: 86_400 }), 0)
  addWorkloadOptions(command)
  command.action(async (flags: MigrateFlags) => {
    const workload = workloadSpecFromFlags(flags)
    // After the spec: a preset fills in --mem-mib, which the page-size check needs.
    pageBytesFromFlag(flags.pageKib, flags.memMib)
    const params = paramsFromFlags(flags)
    if (flags.vms > 1) return migrateMany(flags, workload, params)
    checkFaultStages(flags.strategy, flags.fault)
    const trace = flags.traceOut === undefined ? undefined : openTrace(flags.traceOut)
    const lab = {
      seed: flags.seed, memMiB: flags.memMib, pageKiB: flags.pageKib, workload, warmupS: flags.warmupS,
      linkMbitPerS: flags.linkMbit, latencyUs: flags.latencyUs, params, faults: flags.fault, clients: flags.clients, arp: flags.arp, macPolicy: flags.macPolicy
    }
    const history = flags.db === undefined ? undefined : RunHistory.open(flags.db, { scenario: 'migrate', scenarioJson: lab, seed: flags.seed, policy: 'none' })
    const log = new LabMigrationLog()
    let result: LabResult
    try {
      result = runMigrationLab(lab, ({ sim }) => {
        if (trace !== undefined) sim.subscribe((event) => trace.write(JSON.stringify(event) + '\n'))
        if (history !== undefined) log.attach(sim as never)
      })
    } catch (error) {
      history?.abandon()
      throw error
    }
    if (trace !== undefined) await new Promise<void>((resolve) => trace.end(resolve))
    if (history !== undefined) {
      history.record(log.records({ strategy: flags.strategy, memMiB: flags.memMib, workload, linkMbitPerS: flags.linkMbit, faults: flags.fault }))
      history.finish(Math.round(result.simulatedMs * 1000), result.traceHash)
      process.stderr.write(`cutover: recorded run ${history.runId} in ${history.path}\n`)
    }
    if (flags.json === true) printJson(result)
    else printTable(result)
  })
}

/** `--vms N` (N > 1): the contention lab, one result per VM. Faults, clients and --db stay single-VM features. */
async function migrateMany(flags: MigrateFlags, workload: ReturnType<typeof workloadSpecFromFlags>, params: MigrationParams): Promise<void> {
  if (flags.fault.length > 0) throw new UsageError('--fault: not supported with --vms > 1 (faults apply to a single migration)')
  if (flags.clients > 0) throw new UsageError('--clients: not supported with --vms > 1')
  if (flags.db !== undefined) throw new UsageError('--db: not supported with --vms > 1')
  const trace = flags.traceOut === undefined ? undefined : openTrace(flags.traceOut)
  const result = runMultiMigrationLab({
    seed: flags.seed, memMiB: flags.memMib, pageKiB: flags.pageKib, workload, warmupS: flags.warmupS, linkMbitPerS: flags.linkMbit,
    latencyUs: flags.latencyUs, params, faults: [], clients: 0, arp: flags.arp, macPolicy: flags.macPolicy, vms: flags.vms, staggerS: flags.staggerS
  }, (sim) => { if (trace !== undefined) sim.subscribe((event) => trace.write(JSON.stringify(event) + '\n')) })
  if (trace !== undefined) await new Promise<void>((resolve) => trace.end(resolve))
  if (flags.json === true) printJson(result)
  else printManyTable(result)
}

function printManyTable(result: MultiLabResult): void {
  const lines = [
    `strategy ${result.strategy}   ${result.vms} VMs from host-a to host-b over ${result.linkMbitPerS} Mbit/s links, stagger ${result.staggerS} s`,
    `makespan ${result.makespanMs.toFixed(1)} ms   sent ${(result.bytesSent / 1e6).toFixed(1)} MB   lost writes ${result.lostWrites}`,
    '', 'vm        start ms    total ms  downtime ms         MB  rounds  mean Mbit/s  outcome'
  ]
  for (const m of result.migrations) {
    const meanMbitPerS = m.totalTimeMs > 0 ? (m.bytesSent * 8) / (m.totalTimeMs * 1000) : 0
    lines.push(`${m.vmId}  ${m.startedAtMs.toFixed(1).padStart(9)} ${m.totalTimeMs.toFixed(1).padStart(11)} ${m.downtimeMs.toFixed(1).padStart(12)} ${(m.bytesSent / 1e6).toFixed(1).padStart(10)} ${String(m.rounds.length).padStart(7)} ${meanMbitPerS.toFixed(1).padStart(12)}  ${m.outcome}`)
  }
  lines.push('', `trace ${result.traceHash}`)
  process.stdout.write(lines.join('\n') + '\n')
}

// `npm run validate -- qemu [--quick] [--only ID,…] [--no-docs]`: real QEMU migrations on this machine, each
// compared with `cutover migrate` on the same parameters; prints the per-run table and the error summary and
// writes them into docs/validation.md (with the date, QEMU version and machine). Exit 2 when set-up cannot run.
import { Command } from 'commander'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareRun, comparisonTable, firstPassMbit, firstPassPagesPerS, modelMetrics, realMetrics, summarize, summaryTable, type RunComparison } from './qemu/compare'
import { calibrationSpec, fullMatrix, quickMatrix } from './qemu/matrix'
import { calibrationOf, runModel, type GuestCalibration } from './qemu/model-run'
import { runRealMigration, type RealRunResult } from './qemu/real-run'
import { machineLoopbackMbit } from './qemu/loopback-rate'
import { machineSocketBufferBytes } from './qemu/socket-buffers'
import { ensureQemuToolchain, SetupError, type QemuToolchain } from './qemu/setup'
import type { RunSpec } from './qemu/spec'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DOC = join(ROOT, 'docs', 'validation.md')
const BEGIN = '<!-- qemu-validation:begin -->'
const END = '<!-- qemu-validation:end -->'

interface Options { quick?: boolean; only?: string; docs: boolean; out: string; reuseReal?: boolean }

function log(line: string): void {
  process.stderr.write(line + '\n')
}

async function calibrate(tools: QemuToolchain, memMiB: number, outDir: string, options: Options): Promise<GuestCalibration> {
  const file = join(outDir, `calibrate-m${memMiB}.json`)
  const run = existsSync(file) && options.reuseReal === true ? (JSON.parse(readFileSync(file, 'utf8')) as RealRunResult) : await runRealMigration(tools, calibrationSpec(memMiB), outDir)
  writeFileSync(file, JSON.stringify(run, null, 1) + '\n')
  const ram = (run.final.ram ?? {}) as Record<string, number | undefined>
  const calibration = calibrationOf(memMiB, ram)
  log(`calibration ${memMiB} MiB: ${calibration.nonZeroMiB.toFixed(1)} MiB non-zero, loopback ${calibration.linkMbit.toFixed(0)} Mbit/s (${run.verdict})`)
  return calibration
}

/**
 * The loopback's one-stream TCP rate (loopback-rate.ts), measured before the runs and kept in --out with the
 * burst rate and the load average beside it: with --reuse-real the
 * value recorded with those runs is reused (the rate moves with the machine's load).
 */
async function loopbackMbit(outDir: string, options: Options): Promise<number | null> {
  const file = join(outDir, 'loopback.json')
  if (options.reuseReal === true && existsSync(file)) {
    const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { mbit?: unknown }).mbit
    if (typeof recorded === 'number' && recorded > 0) return recorded
  }
  let burstWriteMbit: number | null = null
  const mbit = await machineLoopbackMbit(undefined, undefined, { onRates: (rates) => { burstWriteMbit = rates.burstWriteMbit } })
  if (mbit !== null) {
    writeFileSync(file, JSON.stringify({ mbit, method: burstWriteMbit === null ? 'node' : 'writer', burstWriteMbit,
      loadAverage: loadavg()[0], measuredAt: new Date().toISOString() }) + '\n')
  }
  log(`loopback: ${mbit === null ? 'not measured' : `${mbit.toFixed(0)} Mbit/s`}, burst into the drained connection ` +
    `${burstWriteMbit === null ? 'not measured' : `${(burstWriteMbit as number).toFixed(0)} Mbit/s`} (writer's clock), load average ${loadavg()[0].toFixed(1)}`)
  return mbit
}

/** The loopback rate measured with the run where it was, else the one measured for the whole --out. */
function runLoopbackMbit(real: RealRunResult, outDirMbit: number | null): number | null {
  return typeof real.loopbackMbit === 'number' && real.loopbackMbit > 0 ? real.loopbackMbit : outDirMbit
}

function writeDoc(rows: readonly RunComparison[], tools: QemuToolchain, quick: boolean, lost: readonly string[], loopbackMbit: number | null): void {
  const cpu = cpus()
  const section = [
    BEGIN,
    `Run on ${new Date().toISOString().slice(0, 10)} with QEMU ${tools.qemuVersion} (TCG, Debian bookworm-backports), guest kernel ` +
      `${tools.kernelVersion}, on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB` +
      `${quick ? ' (the --quick set)' : ''}. Each cell is QEMU / Cutover. Regenerate with \`npm run validate -- qemu\`. ` +
      `Loopback write rate given to Cutover: ${loopbackMbit === null ? 'not measured' : `${loopbackMbit.toFixed(0)} Mbit/s`} (\`loopback.json\`; ` +
      'a run that carries its own figure uses that).',
    '',
    summaryTable(summarize(rows)),
    comparisonTable(rows),
    lost.length === 0 ? '' : `Runs that could not be made (the guest never booted, twice): ${lost.join(', ')}.\n`,
    END
  ].join('\n')
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Validation\n'
  const next = text.includes(BEGIN) && text.includes(END)
    ? text.slice(0, text.indexOf(BEGIN)) + section + text.slice(text.indexOf(END) + END.length)
    : `${text.trimEnd()}\n\n## Against a real hypervisor: QEMU\n\n${section}\n`
  writeFileSync(DOC, next)
}

async function validateQemu(options: Options): Promise<void> {
  let tools: QemuToolchain
  try {
    tools = ensureQemuToolchain()
  } catch (error) {
    if (error instanceof SetupError) { log(`validate qemu: ${error.message}`); process.exit(2) }
    throw error
  }
  log(`QEMU ${tools.qemuVersion}, kernel ${tools.kernelVersion}, cache ${tools.cacheDir}`)
  let specs: RunSpec[] = options.quick ? quickMatrix() : fullMatrix()
  if (options.only !== undefined) {
    const wanted = new Set(options.only.split(','))
    specs = specs.filter((spec) => wanted.has(spec.id))
    if (specs.length === 0) { log(`--only: no run named ${options.only}`); process.exit(2) }
  }
  const outDir = options.out
  mkdirSync(outDir, { recursive: true })
  const calibrations = new Map<number, GuestCalibration>()
  const socketBufferBytes = machineSocketBufferBytes()
  log(`socket buffers (tcp_wmem max + tcp_rmem max): ${socketBufferBytes === null ? 'not measured' : `${socketBufferBytes} B`}`)
  const socketWriteMbit = await loopbackMbit(outDir, options)
  log(`loopback TCP write rate: ${socketWriteMbit === null ? 'not measured' : `${socketWriteMbit.toFixed(0)} Mbit/s`}`)
  const rows: RunComparison[] = []
  const lost: string[] = []
  for (const [index, spec] of specs.entries()) {
    if (!calibrations.has(spec.memMiB)) calibrations.set(spec.memMiB, await calibrate(tools, spec.memMiB, outDir, options))
    const calibration = calibrations.get(spec.memMiB) as GuestCalibration
    const realFile = join(outDir, `${spec.id}.json`)
    let real: RealRunResult | undefined
    if (options.reuseReal === true && existsSync(realFile)) real = JSON.parse(readFileSync(realFile, 'utf8')) as RealRunResult
    // A run that could not even start (a guest that never booted on a starved machine) is retried once, then reported.
    for (let attempt = 1; real === undefined && attempt <= 2; attempt++) {
      try {
        let loopbackBurstMbit: number | null = null
        const loopback = await machineLoopbackMbit(undefined, undefined, { onRates: (rates) => { loopbackBurstMbit = rates.burstWriteMbit } })
        const loadAverage = loadavg()[0]
        real = { ...(await runRealMigration(tools, spec, outDir)), loopbackMbit: loopback, loopbackBurstMbit, loadAverage }
      } catch (error) {
        log(`[${index + 1}/${specs.length}] ${spec.id}: attempt ${attempt} failed: ${(error as Error).message}`)
      }
    }
    if (real === undefined) { lost.push(spec.id); continue }
    writeFileSync(realFile, JSON.stringify(real, null, 1) + '\n')
    const mbit = firstPassMbit(real)
    const pagesPerS = firstPassPagesPerS(real)
    const firstPass = mbit === null || pagesPerS === null ? null : { mbit, pagesPerS }
    // A reused run keeps the cap it was recorded with: both sides must give up at the same time.
    const model = runModel({ ...spec, capS: real.spec.capS }, real.guestRatePagesPerS, calibration, firstPass, socketBufferBytes,
      runLoopbackMbit(real, socketWriteMbit))
    writeFileSync(join(outDir, `${spec.id}.cutover.json`), JSON.stringify(model, null, 1) + '\n')
    const row = compareRun(spec, realMetrics(real), modelMetrics(model.json, spec))
    rows.push(row)
    writeFileSync(join(outDir, 'comparison.json'), JSON.stringify(rows, null, 1) + '\n')
    log(`[${index + 1}/${specs.length}] ${spec.id}: QEMU ${row.real.verdict} ${row.real.totalTimeMs ?? '–'} ms, ` +
      `Cutover ${row.model.verdict} ${row.model.totalTimeMs ?? '–'} ms; guest ${real.guestRatePagesPerS} p/s; ` +
      `first pass ${firstPass === null ? '–' : `${firstPass.mbit.toFixed(0)} Mbit/s, ${firstPass.pagesPerS.toFixed(0)} pages/s`}; destination running: ${real.destinationRunning}; ${real.wallS} s; ` +
      `loopback ${runLoopbackMbit(real, socketWriteMbit)?.toFixed(0) ?? 'not measured'} Mbit/s`)
  }
  if (lost.length > 0) log(`runs that could not be made here: ${lost.join(', ')}`)
  process.stdout.write(summaryTable(summarize(rows)) + '\n' + comparisonTable(rows))
  if (options.docs) { writeDoc(rows, tools, options.quick === true, lost, socketWriteMbit); log(`wrote ${DOC}`) }
  if (rows.length === 0) process.exitCode = 1
}

const program = new Command('validate').description('check Cutover against a real hypervisor on this machine')
program.command('qemu')
  .description('real QEMU (TCG) migrations over 127.0.0.1 vs `cutover migrate` with the same parameters')
  .option('--quick', 'three runs instead of the full matrix')
  .option('--only <ids>', 'comma-separated run ids from the matrix')
  .option('--reuse-real', 'reuse recorded QEMU runs from --out and re-run only the Cutover side (after a model change)')
  .option('--no-docs', 'do not rewrite docs/validation.md')
  .option('--out <dir>', 'where each run\'s JSON goes', join(ROOT, 'validate-results', 'qemu'))
  .action(validateQemu)
await program.parseAsync()

// `npm run test:slurm`: the scale-out path on a real workload manager. Sets up a one-node Slurm here (Debian's
// slurmctld, slurmd and munge; toolchain.md §8) with a private config and state under a temp folder, submits a
// 4-shard sweep as a job array plus the merge (scale-out/slurm/submit.sh), waits, and checks that the merged
// document equals the unsharded sweep. Stops the daemons it started, by PID (checking /proc/PID/comm first).
// Needs root (daemons, apt); elsewhere it prints why it skips and exits 0. Writes test-results/slurm.json.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const repo = resolve(import.meta.dirname, '../..')
const results = join(repo, 'test-results')
const started: { name: string; pidFile: string; comm: string }[] = []
let passed = 0
let failed = 0

function log(message: string): void {
  process.stdout.write(`slurm: ${message}\n`)
}

function sh(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] })
}

function check(label: string, ok: boolean, detail = ''): void {
  if (ok) passed++
  else failed++
  process.stdout.write(`${ok ? '✓' : '✗'} ${label}${detail === '' ? '' : `: ${detail}`}\n`)
}

function have(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0
}

function install(): void {
  if (have('slurmctld') && have('slurmd') && have('munged') && have('sbatch')) return
  log('installing slurmctld slurmd slurm-client munge (apt)')
  sh('apt-get', ['update', '-qq'])
  sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'slurmctld', 'slurmd', 'slurm-client', 'munge'], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' })
}

function pidAlive(pidFile: string, comm: string): number | null {
  if (!existsSync(pidFile)) return null
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) return null
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm ? pid : null
  } catch {
    return null
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function waitFor(label: string, timeoutMs: number, ready: () => boolean): void {
  const until = Date.now() + timeoutMs
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`)
    sleep(500)
  }
}

/** munged as the munge user (as root it refuses: "Logfile is insecure"); an already running one is reused. */
function startMunge(): void {
  const pidFile = '/run/munge/munged.pid'
  if (pidAlive(pidFile, 'munged') !== null) { log('munged already running: reusing it'); return }
  mkdirSync('/run/munge', { recursive: true })
  sh('chown', ['munge:munge', '/run/munge'])
  sh('runuser', ['-u', 'munge', '--', 'munged'])
  started.push({ name: 'munged', pidFile, comm: 'munged' })
  waitFor('munged', 10_000, () => pidAlive(pidFile, 'munged') !== null)
}

function slurmConf(dir: string): string {
  const node = hostname().split('.')[0]
  const freeMiB = Math.floor(Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? '2097152') / 1024)
  return [
    'ClusterName=cutover-test', `SlurmctldHost=${node}`, 'SlurmUser=slurm', 'AuthType=auth/munge',
    `StateSaveLocation=${dir}/state`, `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`, `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/slurmctld.log`, `SlurmdLogFile=${dir}/slurmd.log`,
    `SlurmctldPort=${process.env.CUTOVER_SLURMCTLD_PORT ?? 6817}`, `SlurmdPort=${process.env.CUTOVER_SLURMD_PORT ?? 6818}`,
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core',
    'JobAcctGatherType=jobacct_gather/none', 'MpiDefault=none', 'ReturnToService=2', 'SchedulerType=sched/backfill',
    `NodeName=${node} CPUs=${Number(sh('nproc', []).trim())} RealMemory=${Math.max(256, Math.min(4096, freeMiB - 512))} State=UNKNOWN`,
    'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP', ''
  ].join('\n')
}

function startSlurm(dir: string, env: NodeJS.ProcessEnv): void {
  chmodSync(dir, 0o755) // mkdtemp makes it 0700; slurmctld runs as the slurm user and must reach its state folder
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub), { recursive: true })
  sh('chown', ['-R', 'slurm:slurm', join(dir, 'state')])
  writeFileSync(join(dir, 'slurm.conf'), slurmConf(dir))
  // -c: start from a clean state (a leftover cluster name would make slurmctld die with CLUSTER NAME MISMATCH).
  sh('slurmctld', ['-c', '-f', join(dir, 'slurm.conf')], env)
  started.push({ name: 'slurmctld', pidFile: join(dir, 'slurmctld.pid'), comm: 'slurmctld' })
  sh('slurmd', ['-f', join(dir, 'slurm.conf')], env)
  started.push({ name: 'slurmd', pidFile: join(dir, 'slurmd.pid'), comm: 'slurmd' })
  waitFor('the node to be idle', 60_000, () => {
    if (pidAlive(join(dir, 'slurmctld.pid'), 'slurmctld') === null) throw new Error('slurmctld exited')
    const state = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', env })
    return state.status === 0 && /idle|mixed/.test(state.stdout)
  })
}

/** Stops what this run started, newest first, by PID after checking the process name. */
function stopAll(): void {
  for (const daemon of [...started].reverse()) {
    const pid = pidAlive(daemon.pidFile, daemon.comm)
    if (pid === null) continue
    process.kill(pid, 'SIGTERM')
    try {
      waitFor(`${daemon.name} to stop`, 15_000, () => pidAlive(daemon.pidFile, daemon.comm) === null)
    } catch {
      process.kill(pid, 'SIGKILL')
    }
    log(`stopped ${daemon.name} (pid ${pid})`)
  }
}

function runSweep(dir: string, env: NodeJS.ProcessEnv): void {
  const sweep = ['scenarios/two-hosts.json', 'thr-mmt,drs', '1-4']
  const extra = ['--hours', '2']
  const out = join(dir, 'results')
  const [arrayJob, mergeJob] = sh(join(repo, 'scale-out/slurm/submit.sh'), [...sweep, '4', out, ...extra], env).trim().split(/\s+/)
  log(`submitted array ${arrayJob} and merge ${mergeJob}`)
  waitFor('the array and the merge to finish', 15 * 60_000, () => {
    const queue = spawnSync('squeue', ['-h', '-j', `${arrayJob},${mergeJob}`], { encoding: 'utf8', env })
    return queue.status === 0 && queue.stdout.trim() === ''
  })
  for (let i = 1; i <= 4; i++) check(`array task ${i} wrote its shard`, existsSync(join(out, `shard-${i}.json`)))
  const mergedPath = join(out, 'merged.json')
  check('the merge job wrote merged.json', existsSync(mergedPath), existsSync(mergedPath) ? '' : readLogs(out))
  if (!existsSync(mergedPath)) return
  const local = join(dir, 'unsharded.json')
  sh('node', ['bin/cutover.js', 'sweep', sweep[0], '--policies', sweep[1], '--seeds', sweep[2], ...extra, '--workers', '1', '--out', local], { ...env, FORCE_COLOR: '0' })
  const merged = JSON.parse(readFileSync(mergedPath, 'utf8')) as { runs: unknown[] }
  const whole = JSON.parse(readFileSync(local, 'utf8')) as { runs: unknown[] }
  check('merged has every (policy, seed)', merged.runs.length === 8, `${merged.runs.length} runs`)
  check('merged equals the unsharded sweep', JSON.stringify(merged) === JSON.stringify(whole))
}

function readLogs(out: string): string {
  return spawnSync('sh', ['-c', `tail -n 5 ${out}/slurm-*.out 2>/dev/null`], { encoding: 'utf8' }).stdout
}

function main(): number {
  mkdirSync(results, { recursive: true })
  if (process.getuid?.() !== 0) {
    log('skipped: needs root to install and start slurmctld, slurmd and munged (toolchain.md §8)')
    writeFileSync(join(results, 'slurm.json'), JSON.stringify({ passed: 0, failed: 0, skipped: 'not root' }) + '\n')
    return 0
  }
  const dir = mkdtempSync(join(tmpdir(), 'cutover-slurm-'))
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') }
  try {
    install()
    startMunge()
    startSlurm(dir, env)
    check('one-node Slurm is up', true)
    runSweep(dir, env)
  } catch (error) {
    check('slurm run', false, (error as Error).message)
    for (const file of ['slurmctld.log', 'slurmd.log']) {
      if (existsSync(join(dir, file))) process.stdout.write(`--- ${file}\n${readFileSync(join(dir, file), 'utf8').split('\n').slice(-15).join('\n')}\n`)
    }
  } finally {
    stopAll()
  }
  if (failed === 0) rmSync(dir, { recursive: true, force: true })
  writeFileSync(join(results, 'slurm.json'), JSON.stringify({ passed, failed }) + '\n')
  process.stdout.write(`${passed} passed, ${failed} failed\n`)
  return failed === 0 ? 0 : 1
}

process.exitCode = main()

// CLI start-up (`npm run bench -- cli`): wall time of whole `cutover` processes, median and min over repeated
// runs after a warm-up, for the built CLI (what `bin/cutover.js` runs) and, in the same run, the TypeScript
// sources through tsx (CUTOVER_FROM_SOURCE=1, how the command ran before it was built). Targets: `cutover --help`
// ≤ 0.3 s, `cutover migrate --mem-mib 64 --json` ≤ 0.6 s. Builds out/cli/ first so the figures are of today's code.
// CPU seconds (user + sys, from GNU time when /usr/bin/time exists) are printed too: on a loaded machine the wall
// time mostly measures the wait for a core, and `node -e 0` shows how large that wait is.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { report } from './support'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUNS = 7

const GNU_TIME = '/usr/bin/time'
const CPU_MARK = 'cutover-bench-cpu-s '

interface Timing { medianS: number; minS: number; cpuMedianS?: number }

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
}

function timeProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, runs: number): Timing {
  const wallS: number[] = []
  const cpuS: number[] = []
  const timed = existsSync(GNU_TIME)
  for (let i = 0; i <= runs; i++) {
    const start = performance.now()
    const result = timed
      ? spawnSync(GNU_TIME, ['-f', `${CPU_MARK}%U %S`, command, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
      : spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
    const elapsedS = (performance.now() - start) / 1000
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
    if (i === 0) continue // the first run warms the file cache and is not counted
    wallS.push(elapsedS)
    const line = result.stderr.split('\n').find((text) => text.startsWith(CPU_MARK))
    if (line !== undefined) cpuS.push(line.slice(CPU_MARK.length).split(' ').map(Number).reduce((a, b) => a + b, 0))
  }
  return { medianS: median(wallS), minS: Math.min(...wallS), cpuMedianS: cpuS.length > 0 ? median(cpuS) : undefined }
}

function format(timing: Timing): string {
  const cpu = timing.cpuMedianS === undefined ? '' : `; CPU ${timing.cpuMedianS.toFixed(2)} s`
  return `${timing.medianS.toFixed(3)} s median, ${timing.minS.toFixed(3)} s min${cpu}`
}

function compare(label: string, args: readonly string[], target: string): void {
  const built = timeProcess(process.execPath, ['bin/cutover.js', ...args], process.env, RUNS)
  const source = timeProcess(process.execPath, ['bin/cutover.js', ...args], { ...process.env, CUTOVER_FROM_SOURCE: '1' }, 3)
  report(`${label}: built`, format(built), target)
  report(`${label}: sources through tsx (before)`, `${format(source)}; built is ${(source.medianS / built.medianS).toFixed(1)}× faster`)
}

export function run(): void {
  const build = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`building the CLI failed: ${build.stderr}`)
  const node = timeProcess(process.execPath, ['-e', '0'], process.env, RUNS)
  report('node -e 0 (the floor: Node start-up alone)', format(node))
  compare('cutover --help', ['--help'], '≤ 0.3 s')
  compare('cutover migrate --mem-mib 64 --json', ['migrate', '--mem-mib', '64', '--json'], '≤ 0.6 s')
  const npx = timeProcess('npx', ['--no-install', 'cutover', '--help'], process.env, 3)
  report('npx cutover --help (npx adds its own start-up)', format(npx))
}

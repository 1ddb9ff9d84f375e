// `npm test`: the whole suite in order — Chromium check, typecheck, lint, build, Vitest (node + browser
// projects), end-to-end tests — then one plain line `N passed, N failed` summed over every runner.
// Typecheck, lint, the security scan and build count as one test each. Exit status is non-zero when anything failed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { ensureChromium } from './ensure-chromium'

interface Tally { passed: number; failed: number }
const tally: Tally = { passed: 0, failed: 0 }
const resultsDir = 'test-results'
mkdirSync(resultsDir, { recursive: true })

function run(label: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n▶ ${label}: ${command} ${args.join(' ')}\n`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env })
  return result.status === 0
}

function check(label: string, command: string, args: string[]): void {
  if (run(label, command, args)) tally.passed++
  else { tally.failed++; process.stdout.write(`✗ ${label} failed\n`) }
}

interface FileResult { readonly status?: string; readonly assertionResults?: readonly { readonly status?: string }[] }

function readCounts(file: string, passedKey: string, failedKey: string): Tally | undefined {
  if (!existsSync(file)) return undefined
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number> & { testResults?: readonly FileResult[] }
  // A test file that fails to load (an import error) has no failed test of its own: count it as one failure.
  const unloaded = (parsed.testResults ?? []).filter((result) => result.status === 'failed'
    && !(result.assertionResults ?? []).some((assertion) => assertion.status === 'failed')).length
  return { passed: parsed[passedKey] ?? 0, failed: (parsed[failedKey] ?? 0) + unloaded }
}

function runner(label: string, file: string, passedKey: string, failedKey: string, command: string, args: string[]): void {
  rmSync(file, { force: true })
  const ok = run(label, command, args)
  const counts = readCounts(file, passedKey, failedKey)
  if (counts === undefined) { tally.failed++; process.stdout.write(`✗ ${label} produced no results\n`); return }
  tally.passed += counts.passed
  tally.failed += counts.failed
  if (!ok && counts.failed === 0) tally.failed++ // the runner failed outside any test (e.g. a suite that did not load)
}

const haveChromium = ensureChromium()
if (!haveChromium) tally.failed++
check('typecheck', 'npm', ['run', '--silent', 'typecheck'])
check('lint', 'npm', ['run', '--silent', 'lint'])
check('security (electronegativity, no high-severity finding)', 'npm', ['run', '--silent', 'security'])
check('build', 'npm', ['run', '--silent', 'build'])
runner('vitest', `${resultsDir}/vitest.json`, 'numPassedTests', 'numFailedTests', 'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsDir}/vitest.json`])
runner('e2e', `${resultsDir}/e2e.json`, 'passed', 'failed', 'npx', ['tsx', 'test/e2e/run.ts'])

writeFileSync(`${resultsDir}/summary.json`, JSON.stringify(tally) + '\n')
process.stdout.write(`\n${tally.passed} passed, ${tally.failed} failed\n`)
process.exitCode = tally.failed === 0 ? 0 : 1

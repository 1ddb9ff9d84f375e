// Goal: the CLI's output survives its reader: with stdout closed before the first write (`cutover … | head -c1`)
// every command still finishes with exit 0 and no EPIPE stack trace; and a valid input never ends in exit 1:
// a post-copy over a 1 Mbit/s link that cannot finish in time is reported as data with its reason.
// Method: spawn the real binary with the parent's end of stdout destroyed at once (the child's writes then
// fail with EPIPE, deterministically); run the slow post-copy through --json.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'cutover-output-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/cutover.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('a closed pipe', () => {
  it('ends every command with exit 0 and no stack trace', async () => {
    const db = join(scratch, 'history.db')
    const commands = [
      ['migrate', '--mem-mib', '16', '--db', db],
      ['migrate', '--mem-mib', '16', '--json'],
      ['run', 'two-hosts', '--hours', '0.5'],
      ['wws', '--mem-mib', '16', '--duration-s', '1', '--json'],
      ['policies'], ['scenarios'], ['schema']
    ]
    const results = await Promise.all(commands.map(withClosedStdout))
    results.forEach((result, i) => {
      expect(result.stderr, commands[i].join(' ')).not.toMatch(/EPIPE|\n\s+at /)
      expect(result.code, commands[i].join(' ')).toBe(0)
    })
    const list = await withClosedStdout(['history', 'list', '--db', db])
    expect(list).toEqual({ code: 0, stderr: '' })
  }, 120_000)
})

describe('a valid input never ends in exit 1', () => {
  it('reports a post-copy that cannot finish over a 1 Mbit/s link as a failed migration with its reason', () => {
    const run = spawnSync(process.execPath, ['bin/cutover.js', 'migrate', '--strategy', 'postcopy', '--link-mbit', '1', '--mem-mib', '64', '--cancel-after-s', '60', '--json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const result = JSON.parse(run.stdout) as { outcome: string; abortReason: string; runningOn: string | null; totalTimeMs: number }
    expect(result.outcome).toBe('failed')
    expect(result.abortReason).toMatch(/^timed out: still running 120 s after the start \(cancel horizon\), pages still on the source/)
    expect(result.runningOn).toBeNull()
    expect(result.totalTimeMs).toBe(120_000)
  }, 120_000)
})

// Goal: the lazy command table stays true to the commands, and the shipped binary runs the build.
// Method: the top-level help from placeholders equals the help with every command registered for real (same
// terms, descriptions and order); argv → command lookup; the built CLI (made by the node project's global
// setup) answers --help and --version without tsx.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { buildFullProgram, buildProgram } from '../../cli/index'
import { COMMANDS, commandEntryFor } from '../../cli/commands'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

describe('lazy command table', () => {
  test('top-level help from placeholders equals the help of the fully registered program', async () => {
    const lazy = (await buildProgram(['--help'])).helpInformation()
    const full = (await buildFullProgram()).helpInformation()
    expect(lazy).toBe(full)
    for (const entry of COMMANDS) expect(lazy).toContain(entry.name)
  })

  test('argv names the command to load: `cmd …`, `help cmd`, options first; none for help or unknown words', () => {
    expect(commandEntryFor(['migrate', '--mem-mib', '64'])?.name).toBe('migrate')
    expect(commandEntryFor(['help', 'sweep'])?.name).toBe('sweep')
    expect(commandEntryFor(['--help'])).toBeUndefined()
    expect(commandEntryFor(['migrat'])).toBeUndefined()
    expect(commandEntryFor([])).toBeUndefined()
  })

  test('a single loaded command parses as before: unknown options still fail with the usage exit code', async () => {
    const program = await buildProgram(['schema'])
    expect(program.commands.map((command) => command.name())).toEqual(['schema'])
  })
})

// A loader hook that fails any import of tsx: proves the process ran built JavaScript only.
const NO_TSX_HOOK = 'data:text/javascript,export async function resolve(specifier, context, next) {'
  + ' if (specifier.includes("tsx")) throw new Error("tsx was imported: " + specifier); return next(specifier, context) }'
const NO_TSX = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(NO_TSX_HOOK)})`

function cutoverWithoutTsx(...args: string[]) {
  return spawnSync(process.execPath, ['--import', NO_TSX, 'bin/cutover.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
}

describe('built CLI', () => {
  test('bin/cutover.js runs out/cli/ without importing tsx: help, version, a command, and a command on worker threads', () => {
    expect(existsSync(`${ROOT}out/cli/main.js`)).toBe(true)
    const help = cutoverWithoutTsx('--help')
    expect(help.stderr).toBe('')
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('migrate [options]')
    const version = cutoverWithoutTsx('--version')
    expect(version.status).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    const policies = cutoverWithoutTsx('policies', '--json')
    expect(policies.status).toBe(0)
    expect(JSON.parse(policies.stdout)).toBeTruthy()
    const sweep = cutoverWithoutTsx('sweep', 'two-hosts', '--policies', 'thr-mmt', '--seeds', '1,2', '--workers', '2', '--hours', '1', '--json')
    expect(sweep.stderr).not.toContain('tsx was imported')
    expect(sweep.status).toBe(0)
    expect((JSON.parse(sweep.stdout) as { runs: unknown[] }).runs).toHaveLength(2)
  })

  test('the tsx guard itself works: running the sources trips it', () => {
    const result = spawnSync(process.execPath, ['--import', NO_TSX, 'bin/cutover.js', '--help'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CUTOVER_FROM_SOURCE: '1' } })
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain('tsx was imported')
  })
})

// Proves each layer rule of eslint.config.js fires: fixture files are linted as if they lived in engine/,
// renderer/ or main/, and the expected rule must report on the expected lines.
import { describe, it, expect } from 'vitest'
import { ESLint } from 'eslint'
import { readFileSync } from 'node:fs'

const eslint = new ESLint({ cwd: process.cwd() })

async function lintAs(fixture: string, pretendPath: string) {
  const text = readFileSync(`test/fixtures/lint/${fixture}`, 'utf8')
  const [result] = await eslint.lintText(text, { filePath: pretendPath })
  return result.messages.map((message) => ({ rule: message.ruleId, line: message.line, text: message.message }))
}

describe('layer lint rules', () => {
  it('engine/ may not import node:*, electron or vue', async () => {
    const messages = await lintAs('engine-bad-imports.ts', 'engine/kernel/fixture.ts')
    const importLines = messages.filter((m) => m.rule === 'no-restricted-imports').map((m) => m.line)
    expect(importLines).toEqual([1, 2, 3])
  })

  it('engine/ may not read the wall clock, call Math.random or arm timers', async () => {
    const messages = await lintAs('engine-bad-clock.ts', 'engine/kernel/fixture.ts')
    expect(messages.filter((m) => m.rule === 'no-restricted-syntax').map((m) => m.line)).toEqual([1, 2, 3])
    expect(messages.filter((m) => m.rule === 'no-restricted-globals').map((m) => m.line)).toEqual([4, 5])
  })

  it('renderer/ may import only types from the IPC contract', async () => {
    const bad = await lintAs('renderer-bad-import.ts', 'renderer/src/fixture.ts')
    const flaggedLines = new Set(bad.filter((m) => m.rule === '@typescript-eslint/no-restricted-imports').map((m) => m.line))
    expect([...flaggedLines]).toEqual([1, 2])
    const good = await lintAs('renderer-good-import.ts', 'renderer/src/fixture.ts')
    expect(good.filter((m) => m.rule?.includes('no-restricted-imports'))).toEqual([])
  })

  it('electron is banned outside main/index.ts, main/window.ts and main/preload/', async () => {
    const elsewhere = await lintAs('main-electron.ts', 'main/engine-host/fixture.ts')
    expect(elsewhere.filter((m) => m.rule === 'no-restricted-imports').map((m) => m.line)).toEqual([1])
    const allowed = await lintAs('main-electron.ts', 'main/window.ts')
    expect(allowed.filter((m) => m.rule === 'no-restricted-imports')).toEqual([])
  })
})

describe('the engine front door', () => {
  it.each(['main/engine-host/fixture.ts', 'cli/commands/fixture.ts', 'bench/fixture.bench.ts', 'main/window.ts'])(
    '%s may import the engine only from engine/index', async (pretendPath) => {
      const messages = await lintAs('outside-engine-imports.ts', pretendPath)
      const flagged = messages.filter((m) => m.rule === 'no-restricted-imports' && m.text.includes('engine/index'))
      expect(flagged.map((m) => m.line)).toEqual([1, 2])
    })

  it('engine/ itself and tests may import engine internals', async () => {
    for (const pretendPath of ['engine/world/fixture.ts', 'test/engine/fixture.test.ts']) {
      const messages = await lintAs('outside-engine-imports.ts', pretendPath)
      expect(messages.filter((m) => m.text.includes('engine/index'))).toEqual([])
    }
  })
})

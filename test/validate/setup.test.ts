// `npm run validate -- qemu` where set-up cannot run: a clear message and exit 2, never a hang. The real
// download and build are exercised by running the validation itself (docs/validation.md); here the failure paths.
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const TSX = resolve('node_modules/tsx/dist/cli.mjs')

function validate(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const cache = mkdtempSync(join(tmpdir(), 'cutover-qemu-'))
  try {
    const result = spawnSync(process.execPath, [TSX, 'validate/run.ts', 'qemu', '--quick', '--no-docs', '--out', join(cache, 'out')], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, CUTOVER_QEMU_CACHE: cache, ...env }
    })
    return { status: result.status, stderr: result.stderr }
  } finally {
    rmSync(cache, { recursive: true, force: true })
  }
}

describe('validate qemu set-up failures', () => {
  it('exits 2 naming the missing tool when apt-get/dpkg-deb are not on PATH', () => {
    const { status, stderr } = validate({ PATH: '/nonexistent' })
    expect(status).toBe(2)
    expect(stderr).toMatch(/needs `(apt-get|sh)`|is not installed here|not on this machine/)
  })

  it.skipIf(process.platform !== 'linux' || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0)(
    'exits 2 within the timeout when the Debian mirror cannot be reached', () => {
      const { status, stderr } = validate({ CUTOVER_DEBIAN_MIRROR: 'http://127.0.0.1:9' })
      expect(status).toBe(2)
      expect(stderr).toContain('reading the Debian package lists')
    })
})

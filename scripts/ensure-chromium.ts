// Makes sure Debian's Chromium is there for the browser and e2e tests: installs it when running as root,
// otherwise prints the one command to run. Never downloads a browser build of its own.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { chromiumPath } from './chromium-args'

export function ensureChromium(): boolean {
  const path = chromiumPath()
  if (existsSync(path)) return true
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (!isRoot) {
    process.stderr.write(`Chromium not found at ${path}. Run: sudo apt-get install -y chromium\n`)
    return false
  }
  process.stderr.write('Chromium not found: installing Debian\'s chromium (apt-get)…\n')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env })
  return install.status === 0 && existsSync(path)
}

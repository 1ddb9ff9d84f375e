#!/usr/bin/env node
// `npm start`: build, then run the Electron app if its binary is present; otherwise try Electron's own
// install step (works where the network allows); if that fails, say so in one line and serve browser mode
// on 127.0.0.1, printing the URL.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const electronDir = join(process.cwd(), 'node_modules', 'electron')

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return undefined
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : undefined
}

function tryInstallElectron() {
  if (!existsSync(join(electronDir, 'install.js'))) return false
  const env = { ...process.env }
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { env, stdio: 'ignore', timeout: 120_000 })
  return result.status === 0
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
if (build.status !== 0) {
  process.stderr.write('npm start: the build failed (see above)\n')
  process.exit(1)
}

let binary = electronBinary()
if (binary === undefined && tryInstallElectron()) binary = electronBinary()

if (binary !== undefined) {
  const child = spawn(binary, ['.'], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  process.stdout.write('Electron is not available on this machine (no binary, and its download failed): serving browser mode instead.\n')
  const port = process.env.PORT ?? '0'
  // The same user-data folder the desktop app would use (XDG on Linux).
  const dataDir = join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'cutover')
  mkdirSync(dataDir, { recursive: true })
  const db = process.env.CUTOVER_DB ?? join(dataDir, 'history.db')
  const child = spawn(process.execPath, ['bin/cutover.js', 'serve', '--port', port, '--db', db], { stdio: 'inherit' })
  const forward = (signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (code) => process.exit(code ?? 0))
}

// Setup for the QEMU validation, idempotent and cached outside the repository (default ~/.cache/cutover/qemu,
// or $CUTOVER_QEMU_CACHE): QEMU ≥ 9 from Debian bookworm-backports and the libraries it needs, unpacked with
// dpkg-deb (nothing installed, the system's apt sources untouched: a private sources list and state dir), the
// Debian kernel extracted from its .deb, the static dirtier built with gcc into an initramfs, and the loopback rate
// meter (loopback/loopback-writer.c) built with gcc.
// A step that cannot run here (no gcc, no apt-get, no network to the mirror) is a SetupError: exit 2, never a hang.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpioNewc, S_IFCHR, S_IFDIR, S_IFREG } from './cpio'

export class SetupError extends Error {
  override readonly name = 'SetupError'
}

export interface QemuToolchain {
  readonly cacheDir: string
  readonly qemuBinary: string
  /** Folder with the firmware (bios-256k.bin …) for `-L`. */
  readonly firmwareDir: string
  readonly libraryPath: string
  readonly kernel: string
  readonly initrd: string
  readonly qemuVersion: string
  readonly kernelVersion: string
}

const HERE = dirname(fileURLToPath(import.meta.url))
/** $CUTOVER_DEBIAN_MIRROR points at another mirror (a local one, or an unreachable one in the set-up tests). */
function mirrorLines(): string[] {
  const mirror = process.env.CUTOVER_DEBIAN_MIRROR ?? 'http://deb.debian.org'
  const keyring = '[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]'
  return ['bookworm main', 'bookworm-updates main', 'bookworm-backports main'].map((suite) => `deb ${keyring} ${mirror}/debian ${suite}`)
    .concat(`deb ${keyring} ${mirror}/debian-security bookworm-security main`)
}
const QEMU_PACKAGES = ['qemu-system-x86', 'qemu-system-common', 'qemu-system-data', 'seabios'].map((name) => `${name}/bookworm-backports`)
/** Network steps are bounded: a mirror that does not answer is an error, not a hang. */
const NETWORK_TIMEOUT_MS = 300_000
const SETUP_STAMP = 'setup-v1.json'

export function cacheDirectory(): string {
  return process.env.CUTOVER_QEMU_CACHE ?? join(homedir(), '.cache', 'cutover', 'qemu')
}

function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; what: string; env?: NodeJS.ProcessEnv }): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: options.timeoutMs ?? NETWORK_TIMEOUT_MS, maxBuffer: 64 << 20 })
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new SetupError(`${options.what}: \`${command}\` is not installed here`)
    if (code === 'ETIMEDOUT') throw new SetupError(`${options.what}: \`${command}\` did not finish within ${Math.round((options.timeoutMs ?? NETWORK_TIMEOUT_MS) / 1000)} s (no network to the Debian mirror?)`)
    throw new SetupError(`${options.what}: ${result.error.message}`)
  }
  if (result.status !== 0) {
    const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-4).join('\n')
    throw new SetupError(`${options.what}: \`${command} ${args.slice(0, 3).join(' ')} …\` exited ${result.status}\n${tail}`)
  }
  return result.stdout
}

function requireTool(tool: string, why: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' })
  if (found.status !== 0) throw new SetupError(`${why} needs \`${tool}\`, which is not on this machine`)
}

class PrivateApt {
  private readonly options: string[]
  constructor(private readonly root: string) {
    for (const sub of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(root, sub), { recursive: true })
    writeFileSync(join(root, 'sources.list'), mirrorLines().join('\n') + '\n')
    this.options = [
      '-o', `Dir::Etc::SourceList=${join(root, 'sources.list')}`, '-o', 'Dir::Etc::SourceParts=/dev/null',
      '-o', `Dir::State::Lists=${join(root, 'lists')}`, '-o', `Dir::Cache=${join(root, 'cache')}`,
      '-o', 'Debug::NoLocking=1', '-o', 'APT::Sandbox::User=root', '-o', 'Acquire::Retries=1', '-o', 'Acquire::http::Timeout=30'
    ]
  }
  update(): void {
    if (existsSync(join(this.root, 'lists', 'updated'))) return
    const output = run('apt-get', [...this.options, '-qq', 'update'], { what: 'reading the Debian package lists' })
    // apt-get exits 0 when a mirror is unreachable; only the downloaded index files tell.
    if (!readdirSync(join(this.root, 'lists')).some((name) => name.includes('bookworm-backports') && name.includes('_Packages'))) {
      const reason = output.split('\n').find((line) => line.startsWith('W:') || line.startsWith('E:')) ?? 'no index files arrived'
      throw new SetupError(`reading the Debian package lists: the mirror did not answer (no network to it?): ${reason.trim()}`)
    }
    writeFileSync(join(this.root, 'lists', 'updated'), '')
  }
  candidate(spec: string): string {
    return run('apt-cache', [...this.options, 'show', '--no-all-versions', spec], { what: `looking up ${spec}` })
  }
  /** Every package `specs` depend on, recursively, by name (no recommends/suggests). */
  dependencies(specs: readonly string[]): string[] {
    const out = run('apt-cache', [...this.options, 'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts',
      '--no-breaks', '--no-replaces', '--no-enhances', ...specs], { what: 'resolving QEMU\'s dependencies' })
    return [...new Set(out.split('\n').filter((line) => line !== '' && !line.startsWith(' ') && !line.startsWith('<')))]
  }
  download(specs: readonly string[], into: string): void {
    mkdirSync(into, { recursive: true })
    run('apt-get', [...this.options, '-qq', 'download', ...specs], { cwd: into, what: `downloading ${specs.length} packages` })
  }
}

function installedOnSystem(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' })
  return result.status === 0 && result.stdout.includes('install ok installed')
}

function extractAll(debDir: string, root: string): void {
  mkdirSync(root, { recursive: true })
  for (const deb of readdirSync(debDir).filter((name) => name.endsWith('.deb')).sort()) {
    run('dpkg-deb', ['-x', join(debDir, deb), root], { what: `unpacking ${deb}`, timeoutMs: 120_000 })
  }
}

function missingLibraries(binary: string, libraryPath: string): string[] {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: libraryPath } })
  return result.stdout.split('\n').filter((line) => line.includes('not found')).map((line) => line.trim().split(' ')[0] ?? line)
}

function setupQemu(apt: PrivateApt, cache: string): { binary: string; firmwareDir: string; libraryPath: string; version: string } {
  const root = join(cache, 'root')
  const binary = join(root, 'usr', 'bin', 'qemu-system-x86_64')
  const libraryPath = [join(root, 'usr', 'lib', 'x86_64-linux-gnu'), join(root, 'lib', 'x86_64-linux-gnu')].join(':')
  if (!existsSync(binary)) {
    apt.update()
    const wanted = apt.dependencies(QEMU_PACKAGES).filter((name) => name.startsWith('lib') && !installedOnSystem(name))
    apt.download([...QEMU_PACKAGES, ...wanted], join(cache, 'debs'))
    extractAll(join(cache, 'debs'), root)
  }
  const missing = missingLibraries(binary, libraryPath)
  if (missing.length > 0) throw new SetupError(`QEMU is unpacked but cannot load: missing ${missing.join(', ')}`)
  const versionText = run(binary, ['--version'], { what: 'starting QEMU', timeoutMs: 30_000, env: { ...process.env, LD_LIBRARY_PATH: libraryPath } })
  const version = /version (\d+\.\d+\.\d+)/.exec(versionText)?.[1] ?? 'unknown'
  const major = Number(version.split('.')[0])
  if (!(major >= 9)) throw new SetupError(`QEMU ${version} found; the validation needs QEMU ≥ 9 (TCG dirty-tracking fix 03bfc2188f)`)
  return { binary, firmwareDir: join(root, 'usr', 'share', 'qemu'), libraryPath, version }
}

function setupKernel(apt: PrivateApt, cache: string): { kernel: string; version: string } {
  const kernel = join(cache, 'vmlinuz')
  const versionFile = join(cache, 'vmlinuz.version')
  if (existsSync(kernel) && existsSync(versionFile)) return { kernel, version: readFileSync(versionFile, 'utf8').trim() }
  apt.update()
  const meta = apt.candidate('linux-image-amd64')
  const imagePackage = /Depends: (linux-image-[^\s,]+)/.exec(meta)?.[1]
  if (imagePackage === undefined) throw new SetupError('could not find the package linux-image-amd64 depends on')
  const debDir = join(cache, 'kernel-debs')
  apt.download([imagePackage], debDir)
  const kernelRoot = join(cache, 'kernel-root')
  extractAll(debDir, kernelRoot)
  const image = readdirSync(join(kernelRoot, 'boot')).find((name) => name.startsWith('vmlinuz-'))
  if (image === undefined) throw new SetupError(`${imagePackage} holds no /boot/vmlinuz-*`)
  copyFileSync(join(kernelRoot, 'boot', image), kernel)
  const version = image.slice('vmlinuz-'.length)
  writeFileSync(versionFile, version + '\n')
  return { kernel, version }
}

function setupInitrd(cache: string): string {
  requireTool('gcc', 'building the guest dirtier')
  const source = join(HERE, 'guest', 'dirtier.c')
  const sourceText = readFileSync(source, 'utf8')
  const initrd = join(cache, 'initrd.cpio')
  const builtFrom = join(cache, 'initrd.source')
  if (existsSync(initrd) && existsSync(builtFrom) && readFileSync(builtFrom, 'utf8') === sourceText) return initrd
  const binary = join(cache, 'dirtier')
  run('gcc', ['-static', '-O2', '-Wall', '-o', binary, source], { what: 'compiling the guest dirtier (gcc -static)', timeoutMs: 120_000 })
  writeFileSync(initrd, cpioNewc([
    { name: 'dev', mode: S_IFDIR | 0o755 },
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'proc', mode: S_IFDIR | 0o555 },
    { name: 'init', mode: S_IFREG | 0o755, data: readFileSync(binary) }
  ]))
  writeFileSync(builtFrom, sourceText)
  return initrd
}

/**
 * The loopback rate meter (loopback/loopback-writer.c: writes like QEMU's migration stream) built with gcc into the
 * cache; rebuilt only when its source changed. Throws a SetupError when it must be built and gcc is missing.
 */
export function ensureLoopbackWriter(cache = cacheDirectory()): string {
  const sourceText = readFileSync(join(HERE, 'loopback', 'loopback-writer.c'), 'utf8')
  const binary = join(cache, 'loopback-writer')
  const builtFrom = join(cache, 'loopback-writer.source')
  if (existsSync(binary) && existsSync(builtFrom) && readFileSync(builtFrom, 'utf8') === sourceText) return binary
  requireTool('gcc', 'building the loopback rate meter')
  mkdirSync(cache, { recursive: true })
  run('gcc', ['-O2', '-Wall', '-o', binary, join(HERE, 'loopback', 'loopback-writer.c')], { what: 'compiling the loopback rate meter (gcc)', timeoutMs: 120_000 })
  writeFileSync(builtFrom, sourceText)
  return binary
}

/** Everything a run needs; downloads and builds on first use, later calls read the cache. */
export function ensureQemuToolchain(): QemuToolchain {
  if (process.platform !== 'linux') throw new SetupError('the QEMU validation runs on Linux (Debian) only')
  for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb', 'dpkg-query', 'ldd']) requireTool(tool, 'unpacking QEMU from Debian\'s packages')
  const cache = cacheDirectory()
  mkdirSync(cache, { recursive: true })
  const apt = new PrivateApt(join(cache, 'apt'))
  const qemu = setupQemu(apt, cache)
  const kernel = setupKernel(apt, cache)
  const initrd = setupInitrd(cache)
  ensureLoopbackWriter(cache)
  const toolchain: QemuToolchain = {
    cacheDir: cache, qemuBinary: qemu.binary, firmwareDir: qemu.firmwareDir, libraryPath: qemu.libraryPath,
    kernel: kernel.kernel, initrd, qemuVersion: qemu.version, kernelVersion: kernel.version
  }
  writeFileSync(join(cache, SETUP_STAMP), JSON.stringify(toolchain, null, 2) + '\n')
  return toolchain
}

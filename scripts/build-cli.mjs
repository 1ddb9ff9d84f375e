// Builds the shipped `cutover` CLI into out/cli/ with esbuild: cli/, engine/, migrations-db/ and the main/ code
// `serve` uses, bundled as ES modules with code splitting, so each command's module is a chunk loaded only when
// that command runs. npm packages are bundled too, except the native better-sqlite3.
// Plain JavaScript so `npm ci` can run it from `prepare` before anything else is built. Well under a second.
import { copyFileSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const finalDir = join(root, 'out/cli')
// Built beside the old output and swapped in at the end, so a `cutover` started meanwhile never sees half a build.
const outDir = join(root, `out/cli.building-${process.pid}`)

try {
  await build({
    absWorkingDir: root,
    entryPoints: {
      main: 'cli/main.ts',
      // Worker threads load these as files beside the chunks that start them (see their factories).
      'sweep-worker': 'main/experiments/sweep-worker.ts',
      'engine-worker': 'main/engine-host/worker.ts'
    },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // npm packages are bundled (zod alone is ~100 small ES modules to resolve at start-up) except the native
    // better-sqlite3 and ws's optional native helpers. CommonJS packages inside an ES bundle need a real require.
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __cutoverCreateRequire } from 'node:module'; const require = __cutoverCreateRequire(import.meta.url);" },
    // Flat: every file sits two levels below the root, like cli/commands/*.ts, so paths such as
    // '../../scenarios' and './engine-worker.js' resolve the same from source and from the bundle.
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning'
  })
  // migrations-db reads its SQL files from the folder of the module that loads them, which is now out/cli/.
  const migrationsDir = join(root, 'migrations-db')
  for (const file of readdirSync(migrationsDir).filter((name) => name.endsWith('.sql'))) {
    copyFileSync(join(migrationsDir, file), join(outDir, file))
  }
  rmSync(finalDir, { recursive: true, force: true })
  renameSync(outDir, finalDir)
} catch (error) {
  rmSync(outDir, { recursive: true, force: true })
  process.stderr.write(`build-cli: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}

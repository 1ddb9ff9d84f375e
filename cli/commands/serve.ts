// `cutover serve [--port N]`: browser mode on 127.0.0.1; prints the URL with its access token on one line.
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_RENDERER_DIR, startServe } from '../../main/server/serve'
import { HistoryDbError, openHistoryDb } from '../../migrations-db'
import { parseNumberFlag } from '../support/flags'
import { UsageError } from '../support/errors'

export function registerServeCommand(program: Command): void {
  program.command('serve')
    .description('serve the app in browser mode on 127.0.0.1 and print its URL')
    .option('--port <n>', 'TCP port (0 picks a free one)', parseNumberFlag('--port', { min: 0, max: 65535, integer: true }), 0)
    .option('--db <path>', 'history database file')
    .option('--scenario <name>', 'preset loaded at start', 'small-cluster')
    .action(async (options: { port: number; db?: string; scenario: string }) => {
      if (options.db !== undefined) checkHistoryDb(options.db)
      if (!existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))) {
        throw new UsageError('the renderer is not built: run `npm run build` first')
      }
      const running = await startServe({ port: options.port, dbPath: options.db, initialScenario: options.scenario })
      process.stdout.write(`${running.server.url}\n`)
      const stop = (): void => { void running.stop().then(() => process.exit(0)) }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      await new Promise<never>(() => {})
    })
}

/** Opens and closes the history once, so a file that is not a Cutover history is refused (exit 2) before serving. */
function checkHistoryDb(path: string): void {
  try {
    openHistoryDb(path).close()
  } catch (error) {
    if (error instanceof HistoryDbError) throw new UsageError(`--db: ${error.message}`)
    throw error
  }
}

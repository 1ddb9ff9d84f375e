// `cutover serve [--port N]`: browser mode on 127.0.0.1; prints the URL with its access token on one line.
// A port in use or an unbuilt renderer is a usage error (exit 2) that says what to do.
import type { Command } from 'commander'
import { RendererMissingError, startServe } from '../../main/server/serve'
import { PortUnavailableError } from '../../main/server/server'
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
      let running
      try {
        running = await startServe({ port: options.port, dbPath: options.db, initialScenario: options.scenario })
      } catch (error) {
        if (error instanceof PortUnavailableError) throw new UsageError(`--port ${options.port}: ${error.message}`)
        if (error instanceof RendererMissingError) throw new UsageError(error.message)
        throw error
      }
      const server = running
      process.stdout.write(`${server.server.url}\n`)
      const stop = (): void => { void server.stop().then(() => process.exit(0)) }
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

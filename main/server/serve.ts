// Browser mode in one call: the loopback server, then the app services behind it, pushes wired. Used by
// `cutover serve` and by `npm start` when Electron cannot run. The port is bound first, so a port in use is
// reported before any engine worker or database is started; any later failure closes the server again.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppServices, type AppServices } from '../app-services'
import { startBrowserServer, type BrowserServer } from './server'

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface ServeOptions {
  readonly port: number
  readonly rendererDir?: string
  readonly token?: string
  /** History database; absent: in memory (nothing written). */
  readonly dbPath?: string
  readonly scenariosDir?: string
  readonly initialScenario?: string | null
}

export interface RunningServe {
  readonly server: BrowserServer
  readonly services: AppServices
  stop(): Promise<void>
}

/** The renderer folder has no index.html (not built). */
export class RendererMissingError extends Error {
  override readonly name = 'RendererMissingError'
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR
  let services: AppServices | undefined
  const server = await startBrowserServer({
    port: options.port,
    rendererDir,
    // Nobody knows the token before startServe returns, so no request arrives before the services exist.
    dispatch: async (channel, payload) => services === undefined
      ? { ok: false, error: { code: 'busy', message: 'the server is starting' } }
      : services.dispatch(channel, payload),
    token: options.token
  })
  try {
    if (!existsSync(join(rendererDir, 'index.html'))) throw new RendererMissingError(`the renderer is not built (no ${join(rendererDir, 'index.html')}): run \`npm run build\` first`)
    services = createAppServices({ mode: 'browser', dbPath: options.dbPath, scenariosDir: options.scenariosDir, initialScenario: options.initialScenario })
    await services.ready
  } catch (error) {
    services?.dispose()
    await server.close()
    throw error
  }
  const running = services
  const disconnect = running.connectPushes({ push: (channel, payload) => server.push(channel, payload), pushJson: (channel, json) => server.pushJson(channel, json) })
  return {
    server, services: running,
    stop: async () => {
      disconnect()
      running.dispose()
      await server.close()
    }
  }
}

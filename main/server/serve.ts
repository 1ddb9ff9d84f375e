// Browser mode in one call: app services + the loopback server, pushes wired. Used by `cutover serve`
// and by `npm start` when Electron cannot run.
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

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const services = createAppServices({ mode: 'browser', dbPath: options.dbPath, scenariosDir: options.scenariosDir, initialScenario: options.initialScenario })
  await services.ready
  const server = await startBrowserServer({
    port: options.port,
    rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR,
    dispatch: services.dispatch,
    token: options.token
  })
  const disconnect = services.connectPushes({ push: (channel, payload) => server.push(channel, payload), pushJson: (channel, json) => server.pushJson(channel, json) })
  return {
    server, services,
    stop: async () => {
      disconnect()
      services.dispose()
      await server.close()
    }
  }
}

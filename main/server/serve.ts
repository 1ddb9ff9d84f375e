// Browser mode in one call: app services + the loopback server, pushes wired. Used by `cutover serve`
// and by `npm start` when Electron cannot run.
import { fileURLToPath } from 'node:url'
import { createAppServices } from '../app-services'
import { startBrowserServer, type BrowserServer } from './server'

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface ServeOptions {
  readonly port: number
  readonly rendererDir?: string
  readonly token?: string
}

export interface RunningServe {
  readonly server: BrowserServer
  stop(): Promise<void>
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const services = createAppServices('browser')
  const server = await startBrowserServer({
    port: options.port,
    rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR,
    dispatch: services.dispatch,
    token: options.token
  })
  const disconnect = services.connectPushes((channel, payload) => server.push(channel, payload))
  return {
    server,
    stop: async () => {
      disconnect()
      services.dispose()
      await server.close()
    }
  }
}

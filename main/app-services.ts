// The services behind the contract, shared by the Electron app and browser mode: the engine host and the
// handlers for every invoke channel. Transports (Electron IPC, WebSocket) only carry what this returns.
import { ENGINE_VERSION } from '../engine/version'
import { createDispatcher, type Dispatch, type HandlerMap } from './ipc/dispatch'
import type { PushChannel, PushPayload } from './ipc/contract'
import { SimHost, type SimHostOptions } from './engine-host/sim-host'
import { APP_VERSION } from './app-version'

export type Pusher = <C extends PushChannel>(channel: C, payload: PushPayload<C>) => void

export interface AppServices {
  readonly dispatch: Dispatch
  readonly simHost: SimHost
  /** Connects push events to a transport; returns a disconnect function. */
  connectPushes(push: Pusher): () => void
  dispose(): void
}

export function createAppServices(mode: 'electron' | 'browser', hostOptions: SimHostOptions = {},
  log: (message: string) => void = (message) => process.stderr.write(`${message}\n`)): AppServices {
  const simHost = new SimHost(hostOptions)
  const handlers: HandlerMap = {
    'app:get-info': () => ({ appVersion: APP_VERSION, engineVersion: ENGINE_VERSION, mode }),
    'sim:get-status': () => simHost.status(),
    'sim:control': (command) => simHost.control(command)
  }
  return {
    dispatch: createDispatcher(handlers, log),
    simHost,
    connectPushes: (push) => simHost.onStatus((status) => push('sim:status', status)),
    dispose: () => simHost.dispose()
  }
}

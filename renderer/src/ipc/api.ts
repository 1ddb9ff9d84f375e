// The only module that touches window.api: Electron's preload API when present, else browser mode's
// WebSocket client built from the page URL's token.
import type { RendererApi } from '../../../main/ipc/contract'
import { createWebSocketApi } from './websocket-api'

declare global {
  interface Window { api?: RendererApi }
}

let api: RendererApi | undefined

export function getApi(): RendererApi {
  if (api !== undefined) return api
  if (window.api !== undefined) {
    api = window.api
  } else {
    const token = new URLSearchParams(window.location.search).get('token') ?? ''
    api = createWebSocketApi(`ws://${window.location.host}/ws?token=${encodeURIComponent(token)}`)
  }
  return api
}

/** Tests install a fake API. */
export function setApi(fake: RendererApi): void {
  api = fake
}

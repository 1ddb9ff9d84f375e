// The main window with secure options: context isolation, sandbox, no Node in the renderer, a strict CSP,
// navigation and new windows blocked, no remote content.
import { BrowserWindow, session } from 'electron'
import { join } from 'node:path'
import { CONTENT_SECURITY_POLICY } from './security'
import { secureWebPreferences, isAppUrl } from './window-policy'

export function createMainWindow(rendererUrl: string | undefined): BrowserWindow {
  // No permission (camera, notifications, openExternal…) is ever granted to the renderer.
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  const window = new BrowserWindow({
    width: 1440, height: 900, minWidth: 1100, minHeight: 700, show: false, title: 'Cutover',
    // The key options are spelled out here as well so static checkers (electronegativity) can see them.
    webPreferences: { ...secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')), contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' }
  })
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault()
  })
  window.once('ready-to-show', () => window.show())
  if (rendererUrl !== undefined) void window.loadURL(rendererUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return window
}

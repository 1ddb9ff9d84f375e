// The main window with secure options: context isolation, sandbox, no Node in the renderer, a strict CSP,
// navigation and new windows blocked, no remote content.
import { BrowserWindow, session, shell } from 'electron'
import { join } from 'node:path'
import { CONTENT_SECURITY_POLICY } from './security'
import { secureWebPreferences, isAppUrl } from './window-policy'

export function createMainWindow(rendererUrl: string | undefined): BrowserWindow {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  const window = new BrowserWindow({
    width: 1440, height: 900, minWidth: 1100, minHeight: 700, show: false, title: 'Cutover',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs'))
  })
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererUrl)) event.preventDefault()
  })
  window.once('ready-to-show', () => window.show())
  if (rendererUrl !== undefined) void window.loadURL(rendererUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return window
}

// Electron lifecycle: single-instance lock, app menu, the window, and the IPC bridge to the shared services.
// The only other files that import electron are window.ts and preload/.
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu } from 'electron'
import { createAppServices } from './app-services'
import { registerIpc, PUSH_BRIDGE_CHANNEL } from './ipc/register'
import { createMainWindow } from './window'
import { isAppUrl } from './window-policy'

const devServerUrl = process.env.ELECTRON_RENDERER_URL

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  void app.whenReady().then(() => {
    const services = createAppServices({ mode: 'electron', dbPath: join(app.getPath('userData'), 'history.db') })
    const window = createMainWindow(devServerUrl)
    registerIpc(ipcMain, services.dispatch, (url) => isAppUrl(url, devServerUrl))
    const send = (channel: string, payload: unknown): void => {
      if (!window.isDestroyed()) window.webContents.send(PUSH_BRIDGE_CHANNEL, channel, payload)
    }
    services.connectPushes({ push: send, pushJson: (channel, json) => send(channel, JSON.parse(json)) })
    Menu.setApplicationMenu(Menu.buildFromTemplate([
      { role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }
    ]))
    app.on('second-instance', () => {
      if (window.isMinimized()) window.restore()
      window.focus()
    })
    app.on('window-all-closed', () => {
      services.dispose()
      app.quit()
    })
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(devServerUrl)
    })
  })
}

// Preload: exposes exactly one API object, { invoke, on }, restricted to the contract's channels.
// Never exposes ipcRenderer; strips the Electron event object from pushes.
import { contextBridge, ipcRenderer } from 'electron'
import { INVOKE_BRIDGE_CHANNEL, PUSH_BRIDGE_CHANNEL, isInvokeChannelName, isPushChannelName } from '../ipc/channels'

contextBridge.exposeInMainWorld('api', {
  invoke(channel: unknown, request: unknown) {
    if (!isInvokeChannelName(channel)) return Promise.resolve({ ok: false, error: { code: 'unknown-channel', message: String(channel) } })
    return ipcRenderer.invoke(INVOKE_BRIDGE_CHANNEL, channel, request)
  },
  on(channel: unknown, listener: (payload: unknown) => void) {
    if (!isPushChannelName(channel)) return () => {}
    const wrapped = (_event: unknown, pushed: unknown, payload: unknown): void => {
      if (pushed === channel) listener(payload)
    }
    ipcRenderer.on(PUSH_BRIDGE_CHANNEL, wrapped)
    return () => ipcRenderer.removeListener(PUSH_BRIDGE_CHANNEL, wrapped)
  }
})

// The Electron side of the one registration gate: one invoke channel carries every contract channel, the
// sender frame is checked against our window, and the dispatcher validates the payload. `ipcMain` is
// injected (only main/index.ts passes the real one), so tests use a fake.
import type { Dispatch } from './dispatch'
import { fail, type Result } from './result'

import { INVOKE_BRIDGE_CHANNEL } from './channels'
export { INVOKE_BRIDGE_CHANNEL, PUSH_BRIDGE_CHANNEL } from './channels'

export interface SenderFrameLike { readonly url: string }
export interface InvokeEventLike { readonly senderFrame: SenderFrameLike | null }
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void
  removeHandler(channel: string): void
}

export function registerIpc(ipcMain: IpcMainLike, dispatch: Dispatch, isTrustedFrameUrl: (url: string) => boolean): () => void {
  ipcMain.handle(INVOKE_BRIDGE_CHANNEL, async (event, channel, payload): Promise<Result<unknown>> => {
    if (event.senderFrame === null || !isTrustedFrameUrl(event.senderFrame.url)) {
      return fail('forbidden', 'request from an unknown frame')
    }
    return dispatch(channel, payload)
  })
  return () => ipcMain.removeHandler(INVOKE_BRIDGE_CHANNEL)
}

// Results, not throws: every answer that crosses the IPC bridge or the WebSocket is one of these.
export type ErrorCode = 'invalid-argument' | 'not-found' | 'engine-halted' | 'unknown-channel' | 'forbidden' | 'busy' | 'internal'

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } }
}

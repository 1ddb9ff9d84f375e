// The WebSocket wire format of the contract. Client → server: {type:'invoke', id, channel, payload}.
// Server → client: {type:'result', id, result} and {type:'push', channel, payload}.
export interface ClientInvoke {
  readonly id: number
  readonly channel: unknown
  readonly payload: unknown
}

export function decodeClientMessage(text: string): ClientInvoke | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const record = parsed as Record<string, unknown>
  if (record.type !== 'invoke' || !Number.isSafeInteger(record.id)) return undefined
  return { id: record.id as number, channel: record.channel, payload: record.payload }
}

export function encodePush(channel: string, payload: unknown): string {
  return JSON.stringify({ type: 'push', channel, payload })
}

/** The same frame from a payload already encoded as JSON text (no parse, no re-encode). */
export function encodePushJson(channel: string, json: string): string {
  return `{"type":"push","channel":${JSON.stringify(channel)},"payload":${json}}`
}

// Channel names of the contract as plain data, dependency-free so the sandboxed preload can bundle them.
// contract.ts checks at compile time that these lists equal its schema maps.
export const INVOKE_CHANNELS = ['app:get-info', 'sim:get-status', 'sim:control', 'sim:get-snapshot', 'sim:command',
  'scenario:list', 'scenario:load', 'scenario:load-file', 'scenario:new', 'scenario:export', 'history:list', 'history:get', 'history:verify', 'history:export', 'experiment:run', 'engine:catalog', 'sim:drop-verdicts', 'sim:migration-estimate'] as const
export const PUSH_CHANNELS = ['sim:status', 'sim:snapshot', 'sim:error', 'experiment:progress'] as const

export const INVOKE_BRIDGE_CHANNEL = 'cutover:invoke'
export const PUSH_BRIDGE_CHANNEL = 'cutover:push'

export function isInvokeChannelName(channel: unknown): boolean {
  return typeof channel === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(channel)
}

export function isPushChannelName(channel: unknown): boolean {
  return typeof channel === 'string' && (PUSH_CHANNELS as readonly string[]).includes(channel)
}

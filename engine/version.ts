// The engine's own version, recorded with every run so that replays can be matched to the code.
export const ENGINE_VERSION = '0.1.0'

// Public surface of paged guest memory: dirty bitmaps and logs, guest memory with its write chokepoint,
// destination page stores with the lost-write checker, and the writable-working-set probe.
export * from './geometry'
export { popcount32 } from './bits'
export { DirtyBitmap, type PageRange } from './dirty-bitmap'
export { DirtyLog } from './dirty-log'
export { GuestMemory, type GuestMemoryOptions, type DirtyLogOptions, type WriteSource } from './guest-memory'
export { PageStore, type PageStoreOptions, type MemoryDiff } from './page-store'
export { contentWord, checksumWords } from './page-content'
export type { Scheduler } from './scheduler'
export {
  WwsWindow, WwsProbe, ScheduledWwsProbe, startWwsProbe, WWS_SAMPLE_US_DEFAULT, WWS_WINDOW_US_DEFAULT, WWS_PROBE_PRIORITY,
  type WwsProbeOptions, type ScheduledWwsProbeOptions, type WwsSample, type WwsSummary
} from './wws'

// Public surface of the kernel: time, queue, RNG streams, trace hash.
export * from './time'
export * from './assert'
export { EventQueue, type Timer } from './event-queue'
export { Rng, deriveStream, streamSeed } from './rng'
export { ZipfSampler } from './zipf'
export { TraceHash } from './trace-hash'
export { Simulation, type EmittedEvent, type Stamped, type Listener, type Observer, type RunLimits, type RunResult } from './simulation'

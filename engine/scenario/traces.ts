// CPU-utilisation series for every VM, generated deterministically from the run seed: each VM draws from its
// own stream `workload/<vm id>`, so policies, faults or extra VMs never shift another VM's demand. Values are
// fractions of the VM's vCPUs × MIPS, one per sample interval, stored VM-major in one Float32Array.
import type { Rng } from '../kernel/rng'
import type { CpuModel } from './schema'
import type { TracePack } from './trace-pack'

export interface TraceShape {
  readonly sampleCount: number
  readonly sampleIntervalS: number
}

const HOURS_PER_DAY = 24

function clampUtil(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value
}

function hourOf(sample: number, shape: TraceShape): number {
  return ((sample * shape.sampleIntervalS) / 3600) % HOURS_PER_DAY
}

function fillDiurnal(out: Float32Array, model: Extract<CpuModel, { kind: 'diurnal' }>, rng: Rng, shape: TraceShape): void {
  const phaseJitterH = rng.normal(0, 1)
  for (let k = 0; k < out.length; k++) {
    const angle = (2 * Math.PI * (hourOf(k, shape) - model.peakHour - phaseJitterH)) / HOURS_PER_DAY
    out[k] = clampUtil(model.meanUtil + model.amplitude * Math.cos(angle) + rng.normal(0, model.noise))
  }
}

/**
 * PlanetLab-like: a per-VM mean drawn lognormally around `meanUtil`, modulated by a slow AR(1) component
 * (φ = 0.95 per sample) and short-term noise in log space, plus a mild daily swing. Heavy-tailed, mostly
 * low utilisation with bursts, like the CoMon traces Beloglazov & Buyya replayed.
 */
function fillPlanetlab(out: Float32Array, model: Extract<CpuModel, { kind: 'planetlab' }>, rng: Rng, shape: TraceShape): void {
  const vmMean = Math.min(0.95, Math.max(0.01, model.meanUtil * rng.lognormal(0, model.spread)))
  const logVariance = 0.64
  const fastSigma = Math.sqrt(model.burstiness * logVariance)
  const slowSigma = Math.sqrt((1 - model.burstiness) * logVariance)
  const phi = 0.95
  const innovation = slowSigma * Math.sqrt(1 - phi * phi)
  const peakHour = 12 + rng.normal(0, 3)
  let slow = rng.normal(0, slowSigma)
  const bias = (fastSigma * fastSigma + slowSigma * slowSigma) / 2
  for (let k = 0; k < out.length; k++) {
    slow = phi * slow + rng.normal(0, innovation)
    const fast = rng.normal(0, fastSigma)
    const daily = 1 + 0.2 * Math.cos((2 * Math.PI * (hourOf(k, shape) - peakHour)) / HOURS_PER_DAY)
    out[k] = clampUtil(vmMean * daily * Math.exp(slow + fast - bias))
  }
}

function fillTrace(out: Float32Array, model: Extract<CpuModel, { kind: 'trace' }>): void {
  const samples = model.samplesPct
  for (let k = 0; k < out.length; k++) {
    const index = model.loop ? k % samples.length : Math.min(k, samples.length - 1)
    out[k] = clampUtil(samples[index] / 100)
  }
}

/** Trace `index` of the pack, clamped at its last sample (CloudSim repeats entry 287 as entry 288). */
function fillReplay(out: Float32Array, pack: TracePack, index: number): void {
  const base = index * pack.sampleCount
  for (let k = 0; k < out.length; k++) out[k] = clampUtil(pack.samplesPct[base + Math.min(k, pack.sampleCount - 1)] / 100)
}

/** Fills `out` (one VM's series) from its model and stream; `replay` VMs read trace `replayIndex` of `pack`. */
export function fillSeries(out: Float32Array, model: CpuModel, rng: Rng, shape: TraceShape, pack?: TracePack, replayIndex = 0): void {
  switch (model.kind) {
    case 'constant': out.fill(model.util); return
    case 'uniform':
      for (let k = 0; k < out.length; k++) out[k] = model.minUtil + (model.maxUtil - model.minUtil) * rng.float()
      return
    case 'diurnal': fillDiurnal(out, model, rng, shape); return
    case 'planetlab': fillPlanetlab(out, model, rng, shape); return
    case 'trace': fillTrace(out, model); return
    case 'replay':
      if (pack === undefined) throw new RangeError('a replay VM needs the scenario\'s trace pack')
      fillReplay(out, pack, replayIndex)
      return
  }
}

// Small helpers shared by benchmark suites: best-of-N timing and aligned output.
import { performance } from 'node:perf_hooks'

/** Runs `body` `repeats` times and returns the fastest wall time in ms (least disturbed by other load). */
export function bestOfMs(repeats: number, body: () => void): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < repeats; i++) {
    const start = performance.now()
    body()
    best = Math.min(best, performance.now() - start)
  }
  return best
}

export function report(label: string, value: string, target?: string): void {
  const verdict = target === undefined ? '' : `   (target ${target})`
  process.stdout.write(`${label.padEnd(52)} ${value}${verdict}\n`)
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`
  return `${perSecond.toFixed(1)} /s`
}

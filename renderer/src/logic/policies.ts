// Policies the UI offers. The contract has no policy-list channel yet, so the built-in names are listed here
// (the engine registry's BUILTIN_POLICY_NAMES); parameters of the active policy come from the snapshot.

export interface PolicyChoice { readonly name: string; readonly summary: string }

export const POLICY_CHOICES: readonly PolicyChoice[] = [
  { name: 'none', summary: 'No moves: the baseline' },
  { name: 'thr-mmt', summary: 'Static threshold, minimum migration time' },
  { name: 'iqr-mmt', summary: 'Interquartile range detector, minimum migration time' },
  { name: 'mad-mmt', summary: 'Median absolute deviation detector, minimum migration time' },
  { name: 'lr-mmt', summary: 'Local regression detector, minimum migration time' },
  { name: 'lrr-mmt', summary: 'Robust local regression detector, minimum migration time' },
  { name: 'drs', summary: 'DRS-like load balancing with cost/benefit gate' },
  { name: 'sandpiper', summary: 'Sandpiper hotspot mitigation' },
  { name: 'consolidate', summary: 'DPM-like consolidation and power management' }
]

export const AUTOMATION_LEVELS = ['manual', 'partial', 'full'] as const
export type Automation = (typeof AUTOMATION_LEVELS)[number]

/** Parses a parameter field back to the type of its current value. */
export function coerceParam(current: number | string | boolean, text: string): number | string | boolean {
  if (typeof current === 'number') {
    const value = Number(text)
    return Number.isFinite(value) ? value : current
  }
  if (typeof current === 'boolean') return text === 'true'
  return text
}

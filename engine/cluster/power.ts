// Host power models as 11-point tables (0 %, 10 %, …, 100 % CPU), linearly interpolated, the SPECpower form
// CloudSim uses; a linear idle→max model is the two-point special case. Utilisation above 100 % draws max power.

/** Watts at 0 %, 10 %, …, 100 % CPU utilisation. */
export type PowerTableW = readonly number[]

/** SPECpower_ssj2008 results as shipped with CloudSim (PowerModelSpecPower* classes). */
export const POWER_PRESETS_W: Readonly<Record<string, PowerTableW>> = Object.freeze({
  'hp-proliant-ml110-g4': [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117],
  'hp-proliant-ml110-g5': [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135],
  'ibm-x3550-xeon-x5670': [66, 107, 120, 131, 143, 156, 173, 191, 211, 229, 247],
  'ibm-x3550-xeon-x5675': [58.4, 98, 109, 118, 128, 140, 153, 170, 189, 205, 222]
})

export function linearPowerTable(idleW: number, maxW: number): PowerTableW {
  return Array.from({ length: 11 }, (_, i) => idleW + ((maxW - idleW) * i) / 10)
}

/** Power at `util` (0…1, clamped) from the table, interpolating between the 10 % points. */
export function powerAtW(table: PowerTableW, util: number): number {
  if (!(util > 0)) return table[0]
  if (util >= 1) return table[10]
  const scaled = util * 10
  const lower = Math.floor(scaled)
  return table[lower] + (table[lower + 1] - table[lower]) * (scaled - lower)
}

export type PowerSpec =
  | { readonly kind: 'linear'; readonly idleW: number; readonly maxW: number }
  | { readonly kind: 'table'; readonly wattsAt: readonly number[] }
  | { readonly kind: 'preset'; readonly name: string }

export function powerTableOf(spec: PowerSpec): PowerTableW {
  switch (spec.kind) {
    case 'linear': return linearPowerTable(spec.idleW, spec.maxW)
    case 'table': return [...spec.wattsAt]
    case 'preset': {
      const table = POWER_PRESETS_W[spec.name]
      if (table === undefined) throw new RangeError(`unknown power preset ${spec.name}`)
      return table
    }
  }
}

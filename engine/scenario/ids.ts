// Host and VM ids are minted from file order (`host-0001`, `vm-0001`), never at random, and rule selectors
// resolve group names or ids to index lists in ascending order.
import type { Scenario } from './schema'

function padWidth(total: number): number {
  return Math.max(4, String(total).length)
}

export function hostIds(scenario: Pick<Scenario, 'hosts'>): string[] {
  const total = scenario.hosts.reduce((sum, group) => sum + group.count, 0)
  const width = padWidth(total)
  return Array.from({ length: total }, (_, i) => `host-${String(i + 1).padStart(width, '0')}`)
}

export function vmIds(scenario: Pick<Scenario, 'vms'>): string[] {
  const total = scenario.vms.reduce((sum, group) => sum + group.count, 0)
  const width = padWidth(total)
  return Array.from({ length: total }, (_, i) => `vm-${String(i + 1).padStart(width, '0')}`)
}

/** Group name of every member, in id order (unnamed groups get `group-N`, N counted from 1). */
export function groupOfEach(groups: readonly { name?: string; count: number }[]): string[] {
  const names: string[] = []
  groups.forEach((group, groupIndex) => {
    const name = group.name ?? `group-${groupIndex + 1}`
    for (let i = 0; i < group.count; i++) names.push(name)
  })
  return names
}

/**
 * Resolves selectors (group names or ids) to sorted, de-duplicated indices; returns the first unknown
 * selector's position instead when one does not match.
 */
export function resolveSelectors(
  selectors: readonly string[], ids: readonly string[], groups: readonly string[]
): { indices: number[] } | { unknownAt: number } {
  const byId = new Map(ids.map((id, index) => [id, index]))
  const chosen = new Set<number>()
  for (let s = 0; s < selectors.length; s++) {
    const selector = selectors[s]
    const direct = byId.get(selector)
    if (direct !== undefined) { chosen.add(direct); continue }
    let matched = false
    for (let i = 0; i < groups.length; i++) {
      if (groups[i] === selector) { chosen.add(i); matched = true }
    }
    if (!matched) return { unknownAt: s }
  }
  return { indices: [...chosen].sort((a, b) => a - b) }
}

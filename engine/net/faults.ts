// Network faults as plain data, schedulable by virtual time: link down/up, random loss, a slow link
// (capacity change) and partitions of host sets. Validated like the LAN description, then applied by `Lan`.
import { checkArray, checkInteger, checkKnownKeys, checkOneOf, checkPositive, checkRatio, checkRecord, checkString, type Issues } from './check'

export type NetFault =
  | { readonly kind: 'link-down'; readonly atUs: number; readonly linkId: string }
  | { readonly kind: 'link-up'; readonly atUs: number; readonly linkId: string }
  | { readonly kind: 'link-loss'; readonly atUs: number; readonly linkId: string; readonly lossRatio: number }
  | { readonly kind: 'link-capacity'; readonly atUs: number; readonly linkId: string; readonly capacityMbitPerS: number }
  | { readonly kind: 'partition'; readonly atUs: number; readonly hostIds: readonly string[] }
  | { readonly kind: 'heal'; readonly atUs: number }

export const NET_FAULT_KINDS = ['link-down', 'link-up', 'link-loss', 'link-capacity', 'partition', 'heal'] as const

/** Names a validator can check fault references against. */
export interface FaultTargets {
  readonly linkIds: readonly string[]
  readonly hostIds: readonly string[]
}

/** Every problem in `input` as `path: message`; empty when it is a valid fault list for `targets`. */
export function validateNetFaults(input: unknown, targets: FaultTargets): string[] {
  const issues: Issues = []
  if (!checkArray(issues, 'faults', input)) return issues
  input.forEach((fault, i) => checkFault(issues, `faults[${i}]`, fault, targets))
  return issues
}

function checkFault(issues: Issues, path: string, fault: unknown, targets: FaultTargets): void {
  if (!checkRecord(issues, path, fault)) return
  checkInteger(issues, `${path}.atUs`, fault.atUs, 0)
  if (!checkOneOf(issues, `${path}.kind`, fault.kind, NET_FAULT_KINDS)) return
  switch (fault.kind) {
    case 'link-down':
    case 'link-up':
      checkKnownKeys(issues, path, fault, ['kind', 'atUs', 'linkId'])
      checkLink(issues, path, fault.linkId, targets)
      return
    case 'link-loss':
      checkKnownKeys(issues, path, fault, ['kind', 'atUs', 'linkId', 'lossRatio'])
      checkLink(issues, path, fault.linkId, targets)
      checkRatio(issues, `${path}.lossRatio`, fault.lossRatio)
      return
    case 'link-capacity':
      checkKnownKeys(issues, path, fault, ['kind', 'atUs', 'linkId', 'capacityMbitPerS'])
      checkLink(issues, path, fault.linkId, targets)
      checkPositive(issues, `${path}.capacityMbitPerS`, fault.capacityMbitPerS)
      return
    case 'partition':
      checkKnownKeys(issues, path, fault, ['kind', 'atUs', 'hostIds'])
      checkHosts(issues, `${path}.hostIds`, fault.hostIds, targets)
      return
    case 'heal':
      checkKnownKeys(issues, path, fault, ['kind', 'atUs'])
      return
  }
}

function checkLink(issues: Issues, path: string, linkId: unknown, targets: FaultTargets): void {
  if (checkString(issues, `${path}.linkId`, linkId) && !targets.linkIds.includes(linkId)) {
    issues.push(`${path}.linkId: expected the id of a link, got ${JSON.stringify(linkId)}`)
  }
}

function checkHosts(issues: Issues, path: string, hostIds: unknown, targets: FaultTargets): void {
  if (!checkArray(issues, path, hostIds)) return
  if (hostIds.length === 0) issues.push(`${path}: expected at least one host, got none`)
  hostIds.forEach((id, i) => {
    if (checkString(issues, `${path}[${i}]`, id) && !targets.hostIds.includes(id)) {
      issues.push(`${path}[${i}]: expected the id of a host, got ${JSON.stringify(id)}`)
    }
  })
}

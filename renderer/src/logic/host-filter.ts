// Finding hosts in a large cluster: search by host or VM, filter by state, rack and utilisation, sort within
// each rack. Pure, over the snapshot's views, so it is tested without a browser.
import type { HostView, VmView } from '../../../main/ipc/contract'

export const HOST_STATE_FILTERS = ['all', 'on', 'off', 'failed', 'maintenance', 'migrating'] as const
export type HostStateFilter = (typeof HOST_STATE_FILTERS)[number]
export const HOST_SORTS = ['id', 'cpu', 'memory', 'vms'] as const
export type HostSort = (typeof HOST_SORTS)[number]

export interface HostFilter {
  /** Matches a host id, or the id or name of a VM on it; case-insensitive. */
  readonly query: string
  readonly state: HostStateFilter
  /** '' for every rack. */
  readonly rack: string
  /** Hosts at or above this CPU use, percent (0 keeps all). */
  readonly minCpuPct: number
  readonly sort: HostSort
}

export const NO_FILTER: HostFilter = { query: '', state: 'all', rack: '', minCpuPct: 0, sort: 'id' }

export interface RackHosts { readonly rack: string; readonly hosts: readonly HostView[] }

function matchesState(host: HostView, state: HostStateFilter, vmById: ReadonlyMap<string, VmView>): boolean {
  switch (state) {
    case 'all': return true
    case 'maintenance': return host.maintenance
    case 'migrating': return host.vmIds.some((id) => vmById.get(id)?.state === 'migrating')
    default: return host.power === state && !(state === 'on' && host.maintenance)
  }
}

function matchesQuery(host: HostView, query: string, vmById: ReadonlyMap<string, VmView>): boolean {
  if (query === '') return true
  if (host.id.toLowerCase().includes(query)) return true
  return host.vmIds.some((id) => {
    const vm = vmById.get(id)
    return id.toLowerCase().includes(query) || (vm !== undefined && vm.name.toLowerCase().includes(query))
  })
}

// One collator for every comparison: localeCompare with options builds one per call, which made sorting a
// thousand hosts on each snapshot the view's largest script cost.
const ids = new Intl.Collator('en', { numeric: true })
const byKey: Record<HostSort, (a: HostView, b: HostView) => number> = {
  id: (a, b) => ids.compare(a.id, b.id),
  cpu: (a, b) => b.cpuUsedPct - a.cpuUsedPct || ids.compare(a.id, b.id),
  memory: (a, b) => b.memUsedMiB / Math.max(1, b.memMiB) - a.memUsedMiB / Math.max(1, a.memMiB) || ids.compare(a.id, b.id),
  vms: (a, b) => b.vmIds.length - a.vmIds.length || ids.compare(a.id, b.id)
}

/** The racks with their matching hosts, sorted; racks left empty by the filter are dropped. */
export function filterRacks(racks: readonly RackHosts[], filter: HostFilter, vmById: ReadonlyMap<string, VmView>): RackHosts[] {
  const query = filter.query.trim().toLowerCase()
  const out: RackHosts[] = []
  for (const group of racks) {
    if (filter.rack !== '' && group.rack !== filter.rack) continue
    const hosts = group.hosts.filter((host) => host.cpuUsedPct >= filter.minCpuPct && matchesState(host, filter.state, vmById) && matchesQuery(host, query, vmById))
    if (hosts.length > 0) out.push({ rack: group.rack, hosts: [...hosts].sort(byKey[filter.sort]) })
  }
  return out
}

export function isFiltering(filter: HostFilter): boolean {
  return filter.query.trim() !== '' || filter.state !== 'all' || filter.rack !== '' || filter.minCpuPct > 0
}

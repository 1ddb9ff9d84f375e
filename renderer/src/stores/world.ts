// The latest WorldSnapshot, replaced wholesale per push (shallowRef: no deep reactivity over thousands of
// hosts and VMs), with id indexes and the rack grouping derived from it. Host commands go through here.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { EngineCommand, HostView, VmView, WorldSnapshot } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'

const RACK_ORDER = new Intl.Collator('en', { numeric: true })

export interface RackGroup { readonly rack: string; readonly hosts: readonly HostView[] }

export const useWorldStore = defineStore('world', () => {
  const snapshot = shallowRef<WorldSnapshot | null>(null)
  const lastError = ref<string | null>(null)

  const hostById = computed(() => new Map((snapshot.value?.hosts ?? []).map((h) => [h.id, h])))
  const vmById = computed(() => new Map((snapshot.value?.vms ?? []).map((v) => [v.id, v])))
  const migrationById = computed(() => new Map((snapshot.value?.migrations ?? []).map((m) => [m.id, m])))
  const racks = computed<RackGroup[]>(() => {
    const groups = new Map<string, HostView[]>()
    for (const host of snapshot.value?.hosts ?? []) {
      const list = groups.get(host.rack) ?? []
      list.push(host)
      groups.set(host.rack, list)
    }
    return [...groups.entries()].sort(([a], [b]) => RACK_ORDER.compare(a, b)).map(([rack, hosts]) => ({ rack, hosts }))
  })
  const activeMigrationCount = computed(() => (snapshot.value?.migrations ?? []).filter((m) => m.outcome === null).length)

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  function apply(next: WorldSnapshot): void {
    snapshot.value = next
  }

  /** The engine holds no world (a load failed with nothing to fall back on). */
  function clear(): void {
    snapshot.value = null
  }

  function vm(id: string): VmView | undefined {
    return vmById.value.get(id)
  }

  function host(id: string): HostView | undefined {
    return hostById.value.get(id)
  }

  /** Sends one engine command; resolves to the engine's detail text, or null after recording the error. */
  async function command(cmd: EngineCommand): Promise<string | null> {
    const result = await getApi().invoke('sim:command', cmd)
    if (result.ok) return result.value.detail
    fail(result.error.message)
    return null
  }

  return { snapshot, lastError, hostById, vmById, migrationById, racks, activeMigrationCount, fail, apply, clear, vm, host, command }
})

// The engine's verdicts on dropping one VM on each host ('sim:drop-verdicts'): asked when a drag starts or a
// VM is selected, and again at the drop, so the feedback and the answer are the engine's one rule, never a copy.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { DropVerdict } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'

export const useDropVerdictsStore = defineStore('dropVerdicts', () => {
  const vmId = ref<string | null>(null)
  const byHost = shallowRef<ReadonlyMap<string, DropVerdict>>(new Map())
  let asked = 0

  /** Fetches the verdicts for `id` (a newer request wins over one still in flight). */
  async function request(id: string): Promise<ReadonlyMap<string, DropVerdict>> {
    const mine = ++asked
    if (vmId.value !== id) byHost.value = new Map()
    vmId.value = id
    const answer = await getApi().invoke('sim:drop-verdicts', { vmId: id })
    const verdicts = new Map((answer.ok ? answer.value : []).map((v) => [v.hostId, v]))
    if (mine === asked) byHost.value = verdicts
    return verdicts
  }

  /** The latest verdict for the VM on the host; undefined until the engine has answered. */
  function verdict(forVmId: string, hostId: string): DropVerdict | undefined {
    return vmId.value === forVmId ? byHost.value.get(hostId) : undefined
  }

  return { vmId, byHost, request, verdict }
})

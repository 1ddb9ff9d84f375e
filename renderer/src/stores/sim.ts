// Simulation status store: virtual clock, play state, speed; commands go through the one IPC client.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AppInfo, SimControl, SimStatus } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'
import { formatVirtualTime } from '../format'

export const useSimStore = defineStore('sim', () => {
  const status = ref<SimStatus>({ nowUs: 0, playing: false, speed: 1, traceHash: '' })
  const info = ref<AppInfo | null>(null)
  const lastError = ref<string | null>(null)
  const clockText = computed(() => formatVirtualTime(status.value.nowUs))
  /** Why the engine halted the world (it is frozen until a scenario is loaded), or null. */
  const halted = computed(() => status.value.halted ?? null)

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  async function load(): Promise<void> {
    const api = getApi()
    const [infoResult, statusResult] = await Promise.all([api.invoke('app:get-info', undefined), api.invoke('sim:get-status', undefined)])
    if (infoResult.ok) info.value = infoResult.value
    else fail(infoResult.error.message)
    if (statusResult.ok) status.value = statusResult.value
    else fail(statusResult.error.message)
  }

  async function control(command: SimControl): Promise<void> {
    const result = await getApi().invoke('sim:control', command)
    if (result.ok) status.value = result.value
    else fail(result.error.message)
  }

  /** Re-reads the engine's status (after a refused load, whose world may differ from what was shown). */
  async function refreshStatus(): Promise<void> {
    const result = await getApi().invoke('sim:get-status', undefined)
    if (result.ok) status.value = result.value
    else fail(result.error.message)
  }

  function applyStatus(next: SimStatus): void {
    status.value = next
  }

  return { status, info, lastError, clockText, halted, fail, load, control, refreshStatus, applyStatus }
})

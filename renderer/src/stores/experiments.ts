// Experiment sweeps (policies × seeds on one scenario): the request in flight, progress from the
// 'experiment:progress' push, and the result runs the comparison table and box plots are built from.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ExperimentProgress, ExperimentResult, InvokeRequest } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'

export type ExperimentRequest = InvokeRequest<'experiment:run'>
export type RunState = 'idle' | 'running' | 'done' | 'error'

export const useExperimentsStore = defineStore('experiments', () => {
  const state = ref<RunState>('idle')
  const progress = ref<ExperimentProgress>({ done: 0, total: 0 })
  const result = shallowRef<ExperimentResult | null>(null)
  const lastRequest = shallowRef<ExperimentRequest | null>(null)
  const lastError = ref<string | null>(null)

  const comparison = computed(() => result.value?.comparison ?? [])
  const progressPct = computed(() => (progress.value.total > 0 ? (100 * progress.value.done) / progress.value.total : 0))

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  function applyProgress(next: ExperimentProgress): void {
    progress.value = next
  }

  async function run(request: ExperimentRequest): Promise<void> {
    if (state.value === 'running') return
    state.value = 'running'
    lastRequest.value = request
    progress.value = { done: 0, total: request.policies.length * request.seeds.length }
    const answer = await getApi().invoke('experiment:run', request)
    if (answer.ok) {
      result.value = answer.value
      state.value = 'done'
    } else {
      state.value = 'error'
      fail(answer.error.message)
    }
  }

  return { state, progress, result, lastRequest, lastError, comparison, progressPct, fail, applyProgress, run }
})

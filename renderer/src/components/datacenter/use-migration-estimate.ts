// The migrate sheet's live estimate: asks the engine ('sim:migration-estimate') for the move with the values
// in the form, a moment after they stop changing, and keeps only the newest answer. The renderer computes
// nothing: duration, data, downtime, the path's defaults and whether it fits the time cap all come from there.
import { ref, watch, type Ref } from 'vue'
import type { MigrationEstimateAnswer, MigrationEstimateRequest } from '../../../../main/ipc/contract'
import { getApi } from '../../ipc/api'

const SETTLE_MS = 120

export function useMigrationEstimate(request: Ref<MigrationEstimateRequest | null>) {
  const answer = ref<MigrationEstimateAnswer | null>(null)
  const error = ref<string | null>(null)
  const pending = ref(false)
  let asked = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  async function ask(current: MigrationEstimateRequest, id: number): Promise<void> {
    const result = await getApi().invoke('sim:migration-estimate', current)
    if (id !== asked) return
    pending.value = false
    if (result.ok) {
      answer.value = result.value
      error.value = null
    } else {
      answer.value = null
      error.value = result.error.message
    }
  }

  watch(request, (current, previous) => {
    clearTimeout(timer)
    if (current === null) return
    const id = ++asked
    pending.value = true
    // The first question goes at once (the defaults depend on it); edits settle first.
    if (previous === undefined || previous === null || previous.strategy !== current.strategy) {
      // Another strategy has other parameters: the old answer's defaults and figures no longer apply.
      answer.value = null
      error.value = null
      void ask(current, id)
    }
    else timer = setTimeout(() => void ask(current, id), SETTLE_MS)
  }, { immediate: true, deep: true })

  return { answer, error, pending }
}

// The migrate sheet's live estimate: asks the engine ('sim:migration-estimate') for the move with the values
// in the form, a moment after they stop changing, and keeps only the newest answer. The renderer computes
// nothing: duration, data, downtime, the path's defaults and whether it fits the time cap all come from there.
// It asks again only when a value changes: the request is rebuilt with every snapshot push (the VM and host
// objects are new each time), and each question waits in the engine worker's queue, in front of the advance
// and the Start command behind it.
import { ref, watch, type Ref } from 'vue'
import type { MigrationEstimateAnswer, MigrationEstimateRequest } from '../../../../main/ipc/contract'
import { getApi } from '../../ipc/api'

const SETTLE_MS = 120

/** `paused`: while true nothing is asked (the sheet is sending its command; the worker should not be kept busy). */
export function useMigrationEstimate(request: Ref<MigrationEstimateRequest | null>, paused?: Ref<boolean>) {
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

  // Compared as text: the same values in a new object are the same question.
  const asText = (): string | null => (request.value === null ? null : JSON.stringify(request.value))
  /**
   * The request last sent to the engine: null before the first, or after the request was withdrawn. Set when
   * the question goes, not when its timer is armed: a Start within the settle time cancels the timer, and if the
   * command then fails the edited values must still be asked about (else the sheet kept the old values' estimate
   * and stayed pending).
   */
  let sentText: string | null = null
  watch([asText, () => paused?.value === true], ([text, isPaused]) => {
    // A settling question cancelled here was never sent: the same values must be asked about again.
    const cancelled = timer !== undefined
    clearTimeout(timer)
    timer = undefined
    // Paused (the Start command is on its way): ask nothing; a change made meanwhile is asked once resumed.
    if (isPaused) return
    if (text === null) {
      sentText = null
      return
    }
    if (text === sentText && !cancelled) return
    const previous = sentText === null ? null : JSON.parse(sentText) as MigrationEstimateRequest
    const current = JSON.parse(text) as MigrationEstimateRequest
    const id = ++asked
    pending.value = true
    const send = (): void => {
      timer = undefined
      sentText = text
      void ask(current, id)
    }
    // The first question goes at once (the defaults depend on it); edits settle first.
    if (previous === null || previous.strategy !== current.strategy) {
      // Another strategy has other parameters: the old answer's defaults and figures no longer apply.
      answer.value = null
      error.value = null
      send()
    }
    else timer = setTimeout(send, SETTLE_MS)
  }, { immediate: true })

  return { answer, error, pending }
}

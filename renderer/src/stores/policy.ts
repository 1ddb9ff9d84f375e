// The placement policy: its imbalance over virtual time (rolling series from snapshots), and the commands to
// switch policy or automation level and to accept or reject a pending recommendation.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AutomationLevel, EngineCommand, WorldSnapshot } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'
import { appendPoint, emptyColumns, type Columns } from '../logic/series'

const SERIES_POINTS = 1800

export const usePolicyStore = defineStore('policy', () => {
  let imbalance: Columns = emptyColumns(1)
  const revision = ref(0)
  const lastError = ref<string | null>(null)
  /** Recommendation ids with an accept/reject in flight (buttons disable). */
  const pending = ref<string[]>([])

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  function record(snapshot: WorldSnapshot): void {
    appendPoint(imbalance, snapshot.nowUs / 1e6, [snapshot.policy.imbalance], SERIES_POINTS)
    revision.value += 1
  }

  function reset(): void {
    imbalance = emptyColumns(1)
    revision.value += 1
  }

  function imbalanceSeries(): Columns {
    return imbalance
  }

  async function send(command: EngineCommand): Promise<boolean> {
    const result = await getApi().invoke('sim:command', command)
    if (!result.ok) fail(result.error.message)
    return result.ok
  }

  function setPolicy(policy: string, automation: AutomationLevel, parameters: Record<string, number | string | boolean>): Promise<boolean> {
    return send({ kind: 'set-policy', policy, automation, parameters })
  }

  async function decide(recommendationId: string, accept: boolean): Promise<boolean> {
    pending.value = [...pending.value, recommendationId]
    try {
      return await send(accept ? { kind: 'accept-recommendation', recommendationId } : { kind: 'reject-recommendation', recommendationId })
    } finally {
      pending.value = pending.value.filter((id) => id !== recommendationId)
    }
  }

  return { revision, lastError, pending, fail, record, reset, imbalanceSeries, setPolicy, decide }
})

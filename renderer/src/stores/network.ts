// Client latency over virtual time, kept as a rolling series from successive snapshots' clients[].lastLatencyMs.
// A null latency (no reply during a cutover) stays null, so the chart shows the gap. At most eight clients
// are charted (the first by id); the series resets when the scenario changes.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { WorldSnapshot } from '../../../main/ipc/contract'
import { appendPoint, emptyColumns, type Columns } from '../logic/series'

const CLIENTS_CHARTED = 8
const SERIES_POINTS = 1800

export const useNetworkStore = defineStore('network', () => {
  const clientIds = ref<string[]>([])
  let latency: Columns = emptyColumns(0)
  const revision = ref(0)
  const lastError = ref<string | null>(null)

  function record(snapshot: WorldSnapshot): void {
    if (clientIds.value.length === 0 && snapshot.clients.length > 0) {
      clientIds.value = snapshot.clients.map((c) => c.id).sort().slice(0, CLIENTS_CHARTED)
      latency = emptyColumns(clientIds.value.length)
    }
    if (clientIds.value.length === 0) return
    const byId = new Map(snapshot.clients.map((c) => [c.id, c.lastLatencyMs]))
    appendPoint(latency, snapshot.nowUs / 1e6, clientIds.value.map((id) => byId.get(id) ?? null), SERIES_POINTS)
    revision.value += 1
  }

  function reset(): void {
    clientIds.value = []
    latency = emptyColumns(0)
    revision.value += 1
  }

  function latencySeries(): Columns {
    return latency
  }

  return { clientIds, revision, lastError, record, reset, latencySeries }
})

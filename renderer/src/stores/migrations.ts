// Migrations derived from successive snapshots: the latest view of every active one plus the most recent
// finished ones, the user's own kept longer (kept after the engine forgets them), and per migration a bounded
// time series of dirty rate, rate limit and link bandwidth. Series mutate in place; `revision` bumps once per
// recorded snapshot, and `seriesRevision(id)` only when that migration's series gained a point.
// A finished migration that reads the same as before keeps its object, so its card (and its charts) are not
// patched and redrawn with every push: only the running ones change.
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef, triggerRef } from 'vue'
import type { EngineCommand, MigrationView, StrategyName, WorldSnapshot } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'
import { appendPoint, emptyColumns, type Columns } from '../logic/series'

const FINISHED_KEPT = 12
const SERIES_POINTS = 900

/** Both finished and alike (a finished view still changes for a second: its client outage is read after the end). */
function sameFinished(previous: MigrationView, next: MigrationView): boolean {
  return previous.outcome !== null && next.outcome !== null && JSON.stringify(previous) === JSON.stringify(next)
}

export const useMigrationsStore = defineStore('migrations', () => {
  const views = shallowRef(new Map<string, MigrationView>())
  const series = new Map<string, Columns>()
  const revision = ref(0)
  /** Per migration: bumped when its series gains a point (read per id, so a chart follows only its own). */
  const seriesRevisions = reactive(new Map<string, number>())
  const lastError = ref<string | null>(null)

  const list = computed<MigrationView[]>(() => {
    void revision.value
    return [...views.value.values()].sort((a, b) => {
      const activeFirst = Number(a.outcome !== null) - Number(b.outcome !== null)
      return activeFirst !== 0 ? activeFirst : b.startedAtUs - a.startedAtUs || a.id.localeCompare(b.id)
    })
  })
  const active = computed(() => list.value.filter((m) => m.outcome === null))
  const finished = computed(() => list.value.filter((m) => m.outcome !== null))

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  /**
   * Keeps the FINISHED_KEPT most recent finished migrations, and as many of the user's own besides: in a busy
   * world a policy finishes a dozen moves in seconds, and the one the user just dropped must not leave the view
   * before they open it.
   */
  function prune(): void {
    const finished = [...views.value.values()].filter((m) => m.outcome !== null).sort((a, b) => b.startedAtUs - a.startedAtUs)
    const kept = new Set([...finished.slice(0, FINISHED_KEPT), ...finished.filter((m) => m.trigger === 'user').slice(0, FINISHED_KEPT)])
    for (const old of finished) if (!kept.has(old)) forget(old.id)
  }

  function forget(id: string): void {
    views.value.delete(id)
    series.delete(id)
    seriesRevisions.delete(id)
  }

  function record(snapshot: WorldSnapshot): void {
    const t = snapshot.nowUs / 1e6
    // A running migration the engine no longer lists ended while the view was not looking (more ended between
    // two snapshots than the engine keeps): it must not stay "running" here for ever.
    const listed = new Set(snapshot.migrations.map((m) => m.id))
    for (const [id, m] of views.value) {
      if (m.outcome === null && !listed.has(id)) forget(id)
    }
    for (const m of snapshot.migrations) {
      const previous = views.value.get(m.id)
      if (previous === undefined || !sameFinished(previous, m)) views.value.set(m.id, m)
      const columns = series.get(m.id) ?? emptyColumns(3)
      series.set(m.id, columns)
      if (m.outcome === null) {
        appendPoint(columns, t, [m.dirtyRateMbitPerS, m.rateLimitMbitPerS, m.linkMbitPerS], SERIES_POINTS)
        seriesRevisions.set(m.id, (seriesRevisions.get(m.id) ?? 0) + 1)
      }
    }
    prune()
    revision.value += 1
    triggerRef(views)
  }

  function reset(): void {
    views.value = new Map()
    series.clear()
    seriesRevisions.clear()
    revision.value += 1
  }

  function seriesOf(id: string): Columns {
    return series.get(id) ?? emptyColumns(3)
  }

  function seriesRevision(id: string): number {
    return seriesRevisions.get(id) ?? 0
  }

  async function send(command: EngineCommand): Promise<boolean> {
    const result = await getApi().invoke('sim:command', command)
    if (!result.ok) fail(result.error.message)
    return result.ok
  }

  function migrate(vmId: string, destination: string, strategy: StrategyName, parameters: Record<string, number | boolean>, timeCapS?: number): Promise<boolean> {
    return send({ kind: 'migrate', vmId, destination, strategy, parameters, ...(timeCapS === undefined ? {} : { timeCapS }) })
  }

  function abort(migrationId: string): Promise<boolean> {
    return send({ kind: 'abort-migration', migrationId })
  }

  function forceComplete(migrationId: string): Promise<boolean> {
    return send({ kind: 'force-complete', migrationId })
  }

  return { views, revision, lastError, list, active, finished, fail, record, reset, seriesOf, seriesRevision, migrate, abort, forceComplete }
})

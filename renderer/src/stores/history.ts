// The migration history over history:list with filters, sorting and keyset pagination. The cursor of every
// page shown so far is kept on a stack, so "Previous" re-requests the page before without offsets. Changing a
// filter or the sort restarts from the first page. Also the detail page, exports and the audit verdict.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AuditVerdict, HistoryDetail, HistoryFilter, HistoryPage } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'

export type LoadState = 'idle' | 'loading' | 'error'
export type SortKey = 'start' | 'downtime' | 'total'
export type RunFilter = 'current' | 'all' | number
export interface HistoryFilters { vm: string; host: string; outcome: '' | 'completed' | 'aborted' | 'failed'; run: RunFilter; sinceUs?: number; untilUs?: number }

/** The filters a fresh view starts with: this run's migrations only. */
export function defaultHistoryFilters(): HistoryFilters {
  return { vm: '', host: '', outcome: '', run: 'current' }
}

export const PAGE_SIZE = 25

export const useHistoryStore = defineStore('history', () => {
  const filters = ref<HistoryFilters>(defaultHistoryFilters())
  const sort = ref<SortKey>('start')
  const direction = ref<'asc' | 'desc'>('desc')
  /** Cursor of the page shown (null = first page). */
  const cursor = ref<string | null>(null)
  /** Cursors of the pages before the one shown, oldest first. */
  const cursorStack = ref<(string | null)[]>([])
  const page = shallowRef<HistoryPage | null>(null)
  const state = ref<LoadState>('idle')
  const detail = shallowRef<HistoryDetail | null>(null)
  const verdict = shallowRef<AuditVerdict | null>(null)
  const verifying = ref(false)
  const lastError = ref<string | null>(null)

  const pageIndex = computed(() => cursorStack.value.length)
  const hasNext = computed(() => page.value?.nextCursor != null)
  const hasPrevious = computed(() => cursorStack.value.length > 0)
  const runs = computed(() => page.value?.runs ?? [])
  const currentRunId = computed(() => page.value?.currentRunId ?? null)

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  function request(): HistoryFilter {
    const f = filters.value
    return {
      vm: f.vm.trim() || undefined, host: f.host.trim() || undefined, outcome: f.outcome || undefined,
      run: f.run, sinceUs: f.sinceUs, untilUs: f.untilUs, sort: sort.value, direction: direction.value, cursor: cursor.value, limit: PAGE_SIZE
    }
  }

  async function fetchPage(): Promise<void> {
    state.value = 'loading'
    const result = await getApi().invoke('history:list', request())
    if (result.ok) {
      page.value = result.value
      state.value = 'idle'
    } else {
      state.value = 'error'
      fail(result.error.message)
    }
  }

  /** First page for the current filters and sort. */
  function reload(): Promise<void> {
    cursor.value = null
    cursorStack.value = []
    return fetchPage()
  }

  function next(): Promise<void> {
    if (!hasNext.value) return Promise.resolve()
    cursorStack.value = [...cursorStack.value, cursor.value]
    cursor.value = page.value?.nextCursor ?? null
    return fetchPage()
  }

  function previous(): Promise<void> {
    if (!hasPrevious.value) return Promise.resolve()
    cursor.value = cursorStack.value[cursorStack.value.length - 1]
    cursorStack.value = cursorStack.value.slice(0, -1)
    return fetchPage()
  }

  function setSort(key: SortKey): Promise<void> {
    if (sort.value === key) direction.value = direction.value === 'desc' ? 'asc' : 'desc'
    else { sort.value = key; direction.value = 'desc' }
    return reload()
  }

  async function open(id: number): Promise<void> {
    const result = await getApi().invoke('history:get', { id })
    if (result.ok) detail.value = result.value
    else fail(result.error.message)
  }

  function close(): void {
    detail.value = null
  }

  async function verify(): Promise<void> {
    verifying.value = true
    const result = await getApi().invoke('history:verify', undefined)
    verifying.value = false
    if (result.ok) verdict.value = result.value
    else fail(result.error.message)
  }

  async function exportAs(format: 'csv' | 'json'): Promise<string | null> {
    const result = await getApi().invoke('history:export', { format })
    if (result.ok) return result.value.text
    fail(result.error.message)
    return null
  }

  return {
    filters, sort, direction, cursor, cursorStack, page, state, detail, verdict, verifying, lastError,
    pageIndex, hasNext, hasPrevious, runs, currentRunId, fail, reload, next, previous, setSort, open, close, verify, exportAs
  }
})

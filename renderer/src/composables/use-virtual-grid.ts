// Virtualised grid over a scroll container: tracks scroll position and size (rAF-throttled scroll, a
// ResizeObserver for size) and returns the layout and the rows to render. The math is in logic/virtual-grid.ts.
import { computed, onBeforeUnmount, onMounted, ref, unref, type Ref } from 'vue'
import { columnsFor, layoutRows, visibleRows, type GridGroup, type GridMetrics } from '../logic/virtual-grid'

export interface VirtualGridOptions extends GridMetrics { readonly minCardWidth: number; readonly overscan: number }

/** `settings` may be a ref (e.g. a row height that follows the densest host). */
export function useVirtualGrid(container: Ref<HTMLElement | null>, groups: Ref<readonly GridGroup[]>, settings: VirtualGridOptions | Ref<VirtualGridOptions>) {
  const width = ref(0)
  const height = ref(0)
  const scrollTop = ref(0)
  let frame = 0
  let observer: ResizeObserver | null = null

  const columns = computed(() => columnsFor(width.value, unref(settings).minCardWidth, unref(settings).gap))
  const layout = computed(() => layoutRows(groups.value, columns.value, unref(settings)))
  const range = computed(() => visibleRows(layout.value.rows, scrollTop.value, height.value || 800, unref(settings).overscan))
  const rows = computed(() => layout.value.rows.slice(range.value[0], range.value[1]))

  function measure(): void {
    const el = container.value
    if (el === null) return
    width.value = el.clientWidth
    height.value = el.clientHeight
    scrollTop.value = el.scrollTop
  }

  function onScroll(): void {
    if (frame !== 0) return
    frame = requestAnimationFrame(() => {
      frame = 0
      scrollTop.value = container.value?.scrollTop ?? 0
    })
  }

  onMounted(() => {
    measure()
    container.value?.addEventListener('scroll', onScroll, { passive: true })
    observer = new ResizeObserver(measure)
    if (container.value !== null) observer.observe(container.value)
  })

  onBeforeUnmount(() => {
    container.value?.removeEventListener('scroll', onScroll)
    observer?.disconnect()
    if (frame !== 0) cancelAnimationFrame(frame)
  })

  return { columns, layout, rows, range }
}

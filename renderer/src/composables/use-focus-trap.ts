// A modal dialog's keyboard contract: while mounted, Tab and Shift+Tab cycle inside `container`, Esc calls
// `onEscape`, and on unmount focus returns to the element that had it before the dialog opened.
import { onBeforeUnmount, onMounted, type Ref } from 'vue'

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

export function focusableIn(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement)
}

/** `fallback`: where focus goes when the opener is gone (a menu item of a menu that closed). */
export function useFocusTrap(container: Ref<HTMLElement | null>, onEscape: () => void, fallback: () => HTMLElement | null = () => null): void {
  let returnTo: HTMLElement | null = null

  function onKeydown(event: KeyboardEvent): void {
    const root = container.value
    if (root === null) return
    if (event.key === 'Escape') { event.preventDefault(); event.stopPropagation(); onEscape(); return }
    if (event.key !== 'Tab') return
    const items = focusableIn(root)
    if (items.length === 0) { event.preventDefault(); root.focus(); return }
    const first = items[0]
    const last = items[items.length - 1]
    const active = document.activeElement
    if (event.shiftKey && (active === first || !root.contains(active))) { event.preventDefault(); last.focus() }
    else if (!event.shiftKey && (active === last || !root.contains(active))) { event.preventDefault(); first.focus() }
  }

  onMounted(() => {
    returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null
    document.addEventListener('keydown', onKeydown, true)
  })
  onBeforeUnmount(() => {
    document.removeEventListener('keydown', onKeydown, true)
    const opener = returnTo
    queueMicrotask(() => (opener !== null && opener.isConnected ? opener : fallback())?.focus())
  })
}

// UI state that belongs to no engine domain: theme, current view, VM selection and drag, the migrate sheet
// target, the last refused drop, and toasts. Toasts expire on their own; at most five are kept.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'

export type Theme = 'light' | 'dark'
export type ViewName = 'datacenter' | 'migrations' | 'network' | 'policies' | 'history' | 'experiments'
export type ToastKind = 'error' | 'info' | 'success'
export interface Toast { readonly id: number; readonly kind: ToastKind; readonly message: string }
export interface MigrateTarget { readonly vmId: string; readonly hostId: string }

const THEME_KEY = 'cutover.theme'
const TOAST_MS: Record<ToastKind, number> = { error: 9000, info: 5000, success: 5000 }
const TOASTS_MAX = 5

function initialTheme(): Theme {
  const saved = globalThis.localStorage?.getItem(THEME_KEY)
  if (saved === 'light' || saved === 'dark') return saved
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export const useUiStore = defineStore('ui', () => {
  const theme = ref<Theme>(initialTheme())
  const view = ref<ViewName>('datacenter')
  const selectedVmId = ref<string | null>(null)
  const draggingVmId = ref<string | null>(null)
  const migrateTarget = shallowRef<MigrateTarget | null>(null)
  /** The last refused drop, as a sentence; cleared by the next drag or by dismissing it. */
  const dropRefusalText = ref<string | null>(null)
  const toasts = ref<Toast[]>([])
  /** Bumped when the keyboard asks for the selected VM's Migrate to… menu (the selection bar opens it). */
  const migrateMenuRequests = ref(0)
  let nextToastId = 1

  function applyTheme(): void {
    document.documentElement.dataset.theme = theme.value
  }

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark'
    globalThis.localStorage?.setItem(THEME_KEY, theme.value)
    applyTheme()
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  function notify(message: string, kind: ToastKind = 'info'): void {
    const id = nextToastId++
    toasts.value = [...toasts.value, { id, kind, message }].slice(-TOASTS_MAX)
    setTimeout(() => dismiss(id), TOAST_MS[kind])
  }

  function show(next: ViewName): void {
    view.value = next
  }

  function select(vmId: string | null): void {
    selectedVmId.value = vmId
  }

  function startDrag(vmId: string): void {
    draggingVmId.value = vmId
    dropRefusalText.value = null
  }

  function endDrag(): void {
    draggingVmId.value = null
  }

  function refuseDrop(text: string): void {
    dropRefusalText.value = text
    notify(text, 'error')
  }

  function openMigrate(target: MigrateTarget | null): void {
    migrateTarget.value = target
  }

  function requestMigrateMenu(): void {
    migrateMenuRequests.value += 1
  }

  return {
    theme, view, selectedVmId, draggingVmId, migrateTarget, dropRefusalText, toasts, migrateMenuRequests, requestMigrateMenu,
    applyTheme, toggleTheme, notify, dismiss, show, select, startDrag, endDrag, refuseDrop, openMigrate
  }
})

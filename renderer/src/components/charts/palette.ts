// Chart colours. Series colours read well on both themes; axis and grid colours follow the theme's CSS
// variables, read at draw time (cached per theme) so a theme switch only needs a redraw, not a new chart.

export const SERIES_COLORS = {
  blue: '#3b82f6', orange: '#f59e0b', violet: '#8b5cf6', green: '#10b981', red: '#ef4444', teal: '#14b8a6',
  pink: '#ec4899', slate: '#64748b'
} as const

export const CLIENT_COLORS = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#ef4444', '#64748b']

interface ThemePalette { readonly axis: string; readonly grid: string; readonly text: string }

let cached: { theme: string; palette: ThemePalette } | null = null

export function themePalette(): ThemePalette {
  const theme = document.documentElement.dataset.theme ?? 'light'
  if (cached?.theme === theme) return cached.palette
  const style = getComputedStyle(document.documentElement)
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback
  const palette = { axis: read('--muted', '#667085'), grid: read('--grid', 'rgba(128,128,128,0.15)'), text: read('--text', '#1c2430') }
  cached = { theme, palette }
  return palette
}

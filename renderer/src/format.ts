// Pure formatting helpers for the UI: virtual time, sizes, rates and durations. Every helper accepts null
// (value not known yet) and renders it as an en dash, so templates never branch on absence.

const DASH = '–'

/** Virtual time as h:mm:ss.mmm. */
export function formatVirtualTime(timeUs: number): string {
  const totalMs = Math.floor(timeUs / 1000)
  const ms = totalMs % 1000
  const totalS = Math.floor(totalMs / 1000)
  const s = totalS % 60
  const m = Math.floor(totalS / 60) % 60
  const h = Math.floor(totalS / 3600)
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}`
}

/** Bytes with a binary unit (B, KiB, MiB, GiB, TiB), three significant digits. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return DASH
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = Math.abs(bytes)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${units[unit]}`
}

/** MiB as the best binary unit. */
export function formatMiB(mib: number | null): string {
  return mib === null ? DASH : formatBytes(mib * 1024 * 1024)
}

/** A rate in Mbit/s, switching to Gbit/s from 1,000. */
export function formatMbit(mbitPerS: number | null): string {
  if (mbitPerS === null || !Number.isFinite(mbitPerS)) return DASH
  if (mbitPerS >= 1000) return `${(mbitPerS / 1000).toFixed(mbitPerS >= 10_000 ? 0 : 1)} Gbit/s`
  return `${mbitPerS.toFixed(mbitPerS >= 100 ? 0 : 1)} Mbit/s`
}

/** A duration in milliseconds: "850 ms", "12.4 s", "3 min 05 s". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return DASH
  if (ms === 0) return '0 ms'
  if (ms < 1) return `${ms.toFixed(2)} ms`
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`
}

/** A duration in microseconds, via formatMs. */
export function formatUs(us: number | null): string {
  return us === null ? DASH : formatMs(us / 1000)
}

/** A percentage 0…100 without decimals (one decimal below 10). */
export function formatPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return DASH
  return `${pct.toFixed(pct !== 0 && Math.abs(pct) < 10 ? 1 : 0)} %`
}

/** A plain number with thin grouping, fixed decimals. */
export function formatNumber(value: number | null, decimals = 0): string {
  if (value === null || !Number.isFinite(value)) return DASH
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
}

/** Parses "12.5" (seconds) from a form field into µs; blank or invalid → undefined. */
export function secondsFieldToUs(text: string): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const seconds = Number(trimmed)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1_000_000) : undefined
}

/** A virtual-time field as the tables show it: "h:mm:ss" with optional ".mmm", "m:ss", or plain seconds. */
export type TimeField = { readonly ok: true; readonly us: number | undefined } | { readonly ok: false; readonly error: string }

const CLOCK = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,6})?)$/

/** Parses a time field into µs (blank → undefined), or says what is wrong with it, naming the field. */
export function parseVirtualTime(text: string, field: string): TimeField {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: true, us: undefined }
  const clock = CLOCK.exec(trimmed)
  let seconds: number
  if (clock !== null) {
    const [h, m, s] = [Number(clock[1] ?? 0), Number(clock[2]), Number(clock[3])]
    if (clock[1] !== undefined && m >= 60) return { ok: false, error: `${field}: minutes must be below 60 in h:mm:ss, got "${trimmed}"` }
    if (s >= 60) return { ok: false, error: `${field}: seconds must be below 60 in h:mm:ss, got "${trimmed}"` }
    seconds = h * 3600 + m * 60 + s
  } else if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    seconds = Number(trimmed)
  } else {
    return { ok: false, error: `${field}: enter a time as h:mm:ss (e.g. 0:05:30) or seconds, got "${trimmed}"` }
  }
  return { ok: true, us: Math.round(seconds * 1_000_000) }
}

/** A history migration's id as the Migrations view shows it (`mig-000006`); a row recorded before engine ids were stored shows `#<row id>`. */
export function formatMigrationId(row: { readonly id: number; readonly migrationId: string | null }): string {
  return row.migrationId ?? `#${row.id}`
}

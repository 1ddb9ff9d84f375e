// The words for a migration that hit its time cap (MigrationParams.cancelAfterUs): the UI and the history show
// them as the abort reason, so a timeout never reads like a user's cancel.
import type { SimTimeUs } from '../kernel/time'

export function timeCapReason(capUs: SimTimeUs): string {
  const s = capUs / 1_000_000
  const text = s >= 60 && s % 60 === 0 ? `${s / 60} min` : `${Math.round(s * 10) / 10} s`
  return `timed out after ${text} (the migration's time cap)`
}


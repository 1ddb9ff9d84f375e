// The words for a migration that hit its time cap (MigrationParams.cancelAfterUs): the UI and the history show
// them as the abort reason, so a timeout never reads like a user's cancel.
import type { SimTimeUs } from '../kernel/time'

const TIME_CAP_PREFIX = 'timed out after '

export function timeCapReason(capUs: SimTimeUs): string {
  const s = capUs / 1_000_000
  const text = s >= 60 && s % 60 === 0 ? `${s / 60} min` : `${Math.round(s * 10) / 10} s`
  return `${TIME_CAP_PREFIX}${text} (the migration's time cap)`
}

/** Whether an abort reason is the time cap's (written above, so the test is on this module's own words). */
export function isTimeCapReason(reason: string | null): boolean {
  return reason !== null && reason.startsWith(TIME_CAP_PREFIX)
}

/**
 * The CLI contract's abortReason: `cancelled` for a migration stopped by `--cancel-after-s` (the time cap);
 * the engine's own words go beside it as abortDetail.
 */
export function contractAbortReason(reason: string | null): string | null {
  return isTimeCapReason(reason) ? 'cancelled' : reason
}

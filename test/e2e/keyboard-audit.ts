/// <reference lib="dom" />
// The keyboard audit the keyboard e2e runs on each view: every interactive element that is shown (button, link,
// input, select, textarea, summary, [tabindex], role button/menuitem/tab/switch, and uPlot's legend entries, which
// toggle a series on click) must be reached by Tab from the page's
// start (or, with a modal dialog open, from inside it), and must look different when focused (outline or
// box-shadow), in the current theme. Reads the DOM to know where focus is; moves focus only with the keyboard.
import type { Page } from 'playwright-core'

const INTERACTIVE = 'button, a[href], input, select, textarea, summary, [tabindex], [role="button"], [role="menuitem"], [role="tab"], [role="switch"], '
  // Every chart's legend is not live, so it has no row for the x series: each row is a series toggle.
  + '.u-legend tr.u-series > th'
const TAB_PRESSES_MAX = 800

export interface AuditResult {
  readonly checked: number
  /** Elements Tab never reached, each named (test id, role, text). */
  readonly unreachable: string[]
  /** Elements reached whose outline and box-shadow did not change when focused. */
  readonly noFocusRing: string[]
}

/** Marks every shown, enabled interactive element under `root` and records how it looks unfocused. */
async function mark(page: Page, root: string): Promise<number> {
  return page.evaluate(([selector, rootSelector]) => {
    ;(document.activeElement as HTMLElement | null)?.blur()
    const scope = document.querySelector(rootSelector) ?? document.body
    let n = 0
    for (const el of document.querySelectorAll<HTMLElement>('[data-kb-id]')) delete el.dataset.kbId
    const radioGroups = new Set<string>()
    for (const el of scope.querySelectorAll<HTMLElement>(selector)) {
      // A radio group is one Tab stop (arrow keys move within it): audit its checked button only.
      if (el instanceof HTMLInputElement && el.type === 'radio') {
        if (!el.checked || radioGroups.has(el.name)) continue
        radioGroups.add(el.name)
      }
      const native = el.matches('button, a[href], input, select, textarea, summary')
      // A container focused from code (tabindex -1 and no role of a control) is not a Tab stop by design.
      if (!native && el.getAttribute('tabindex') === '-1' && !el.matches('[role="button"], [role="menuitem"], [role="tab"], [role="switch"]')) continue
      if ((el as HTMLButtonElement).disabled === true || el.closest('[inert], fieldset:disabled') !== null) continue
      const style = getComputedStyle(el)
      if (el.getClientRects().length === 0 || style.visibility === 'hidden' || style.display === 'none') continue
      if (el.matches('input[type="hidden"]')) continue
      el.dataset.kbId = String(n++)
      el.dataset.kbBase = `${style.outlineStyle}|${style.outlineWidth}|${style.outlineColor}|${style.boxShadow}`
    }
    return n
  }, [INTERACTIVE, root] as const)
}

/** Tabs through the page (or the open dialog) once round, and reports what was not reached or showed no focus. */
export async function auditKeyboard(page: Page, root = 'body'): Promise<AuditResult> {
  // tsx names inner functions with a helper the page does not have.
  await page.evaluate('globalThis.__name ??= (f) => f')
  await mark(page, root)
  const reached = new Map<string, boolean>()
  let first: string | null = null
  for (let i = 0; i < TAB_PRESSES_MAX; i++) {
    await page.keyboard.press('Tab')
    const now = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      if (el === null || el.dataset.kbId === undefined) return null
      const style = getComputedStyle(el)
      const focused = `${style.outlineStyle}|${style.outlineWidth}|${style.outlineColor}|${style.boxShadow}`
      const [outlineStyle, outlineWidth] = focused.split('|')
      const ring = focused !== el.dataset.kbBase && ((outlineStyle !== 'none' && parseFloat(outlineWidth) > 0) || style.boxShadow !== 'none')
      return { id: el.dataset.kbId, ring }
    })
    if (now === null) continue
    if (now.id === first) break
    first ??= now.id
    reached.set(now.id, (reached.get(now.id) ?? false) || now.ring)
  }
  return page.evaluate(([reachedIds, ringIds]) => {
    const describe = (el: HTMLElement): string => {
      const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)
      const testid = el.dataset.testid ?? null
      return `${el.tagName.toLowerCase()}${el.getAttribute('role') ? `[role=${el.getAttribute('role')}]` : ''}${testid ? `[data-testid=${testid}]` : ''} "${text}"`
    }
    const marked = [...document.querySelectorAll<HTMLElement>('[data-kb-id]')]
    return {
      checked: marked.length,
      unreachable: marked.filter((el) => !reachedIds.includes(el.dataset.kbId as string)).map(describe),
      noFocusRing: marked.filter((el) => reachedIds.includes(el.dataset.kbId as string) && !ringIds.includes(el.dataset.kbId as string)).map(describe)
    }
  }, [[...reached.keys()], [...reached].filter(([, ring]) => ring).map(([id]) => id)] as const)
}

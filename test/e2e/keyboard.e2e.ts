/// <reference lib="dom" />
// Keyboard only (#17): from page load, with nothing but key presses, migrate a VM (its chip's context-menu key →
// Migrate to… → the sheet → Start; Play; its round shows), put a host into maintenance and out again (focus comes
// back to the host's menu button each time), change a policy parameter and apply it, filter History, and export an
// experiment. On the way, every view (light and dark, and the open sheet) is audited: each interactive element is
// reached by Tab and shows a focus ring (keyboard-audit.ts). The test reads the DOM to know where focus is; it
// never clicks.
import type { Page } from 'playwright-core'
import { auditKeyboard } from './keyboard-audit'
import { expectTrue, type E2eTest } from './harness'

const TAB_MAX = 400

/** What has focus: its test id, tag, role and the test id of the host card it is in. */
async function focused(page: Page): Promise<{ testid: string; tag: string; role: string; state: string; host: string; disabled: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    return {
      testid: el?.dataset.testid ?? '', tag: el?.tagName.toLowerCase() ?? '', role: el?.getAttribute('role') ?? '', state: el?.dataset.state ?? '',
      host: (el?.closest('[data-testid^="host-card-"]') as HTMLElement | null)?.dataset.testid?.replace('host-card-', '') ?? '',
      disabled: (el as HTMLButtonElement | null)?.disabled === true
    }
  })
}

/** Presses Tab (or Shift+Tab) until focus is on an element `match` accepts; fails after TAB_MAX presses. */
async function tabTo(page: Page, what: string, match: (f: Awaited<ReturnType<typeof focused>>) => boolean, key = 'Tab'): Promise<Awaited<ReturnType<typeof focused>>> {
  for (let i = 0; i < TAB_MAX; i++) {
    await page.keyboard.press(key)
    const f = await focused(page)
    if (match(f)) return f
  }
  throw new Error(`Tab never reached ${what}`)
}

const byId = (testid: string) => (f: { testid: string }) => f.testid === testid

async function goTo(page: Page, view: string): Promise<void> {
  await tabTo(page, `nav-${view}`, byId(`nav-${view}`))
  await page.keyboard.press('Enter')
  await page.getByTestId(`view-${view}`).waitFor()
}

export const tests: Record<string, E2eTest> = {
  'keyboard only: migrate, maintenance in and out, a policy parameter, a History filter, an export; every control reachable with a focus ring': async ({ page }) => {
    await page.getByTestId('host-card-host-0006').waitFor()
    const problems: string[] = []
    const audit = async (where: string, root?: string): Promise<void> => {
      for (const theme of ['light', 'dark']) {
        await page.evaluate((t) => { document.documentElement.dataset.theme = t }, theme)
        const result = await auditKeyboard(page, root)
        expectTrue(result.checked > 0, `${where}: nothing to audit`)
        // A live snapshot can re-render a control while the walk passes it (seen once at load 15), so a control
        // missed is walked for once more; only one missed by both walks is unreachable.
        const missedTwice = result.unreachable.length === 0 ? [] : (await auditKeyboard(page, root)).unreachable.filter((el) => result.unreachable.includes(el))
        for (const el of missedTwice) problems.push(`${where} (${theme}): not reached by Tab: ${el}`)
        for (const el of result.noFocusRing) problems.push(`${where} (${theme}): no visible focus: ${el}`)
      }
      await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur() })
    }
    await audit('Datacenter')

    // Migrate: a running VM's chip, its context-menu key, the first allowed host, the sheet, Start.
    const chip = await tabTo(page, 'a running VM chip', (f) => f.testid.startsWith('vm-chip-') && f.state === 'running')
    const vmId = chip.testid.replace('vm-chip-', '')
    await page.keyboard.press('Shift+F10')
    await page.getByTestId('migrate-menu').waitFor({ timeout: 3_000 })
    await page.keyboard.press('ArrowDown')
    const target = await focused(page)
    expectTrue(target.testid.startsWith('migrate-target-') && target.testid !== `migrate-target-${chip.host}`, `ArrowDown went to ${target.testid}`)
    await page.keyboard.press('Enter')
    await page.getByTestId('migrate-sheet').waitFor()
    await page.waitForFunction(() => (document.querySelector('[data-testid="migrate-confirm"]') as HTMLButtonElement | null)?.disabled === false, null, { timeout: 10_000 })
    await audit('Migrate sheet', '[data-testid="migrate-sheet"]')
    await tabTo(page, 'Start migration', (f) => f.testid === 'migrate-confirm' && !f.disabled)
    await page.keyboard.press('Enter')
    await page.getByTestId('migrate-sheet').waitFor({ state: 'detached', timeout: 10_000 })
    // Play at ×100 and watch the round in the Migrations view.
    await tabTo(page, 'speed', byId('speed'))
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await tabTo(page, 'Play', byId('play'), 'Shift+Tab')
    await page.keyboard.press('Enter')
    await goTo(page, 'migrations')
    const panel = page.locator('[data-testid^="migration-panel-"]').filter({ hasText: vmId }).first()
    await panel.waitFor({ timeout: 15_000 })
    const migrationId = ((await panel.getAttribute('data-testid')) ?? '').replace('migration-panel-', '')
    await page.waitForFunction((id) => Number(document.querySelector(`[data-testid="round-count-${id}"]`)?.textContent?.trim().split(/\s/)[0] ?? '0') >= 1
      || document.querySelector(`[data-testid="round-progress-${id}"]`) !== null, migrationId, { timeout: 20_000 })
    // It completes (so History has it), then Pause.
    await page.getByTestId(`migration-outcome-${migrationId}`).filter({ hasText: /completed/i }).waitFor({ timeout: 60_000 })
    await tabTo(page, 'Pause', byId('pause'))
    await page.keyboard.press('Enter')
    await page.getByTestId('play').waitFor()
    await audit('Migrations')
    // A chart legend entry is a switch: Space hides its series, Space shows it again.
    await tabTo(page, 'a chart legend switch', (f) => f.role === 'switch')
    const legendState = async (): Promise<string> => page.evaluate(() => {
      const el = document.activeElement as HTMLElement
      return `${el.getAttribute('aria-checked')}/${el.closest('tr')?.classList.contains('u-off') === true ? 'off' : 'on'}`
    })
    await page.keyboard.press('Space')
    expectTrue(await legendState() === 'false/off', `Space on a legend switch left it ${await legendState()}`)
    await page.keyboard.press('Space')
    expectTrue(await legendState() === 'true/on', `a second Space left it ${await legendState()}`)

    // Maintenance in and out: a host's menu button, Enter, the first item; focus comes back to the button.
    await goTo(page, 'datacenter')
    const menuButton = await tabTo(page, 'a host menu', (f) => f.testid.startsWith('host-menu-') && f.testid !== `host-menu-${chip.host}`)
    const hostId = menuButton.testid.replace('host-menu-', '')
    await page.keyboard.press('Enter')
    await page.getByTestId(`host-actions-${hostId}`).waitFor()
    expectTrue((await focused(page)).testid === `evacuate-${hostId}`, `the menu opened with focus on ${(await focused(page)).testid}`)
    await page.keyboard.press('Enter')
    await page.getByTestId(`maintenance-${hostId}`).waitFor({ timeout: 10_000 })
    expectTrue((await focused(page)).testid === menuButton.testid, `after Enter maintenance focus went to "${(await focused(page)).testid}", not the host's menu button`)
    await page.keyboard.press('Enter')
    await page.getByTestId(`host-actions-${hostId}`).waitFor()
    for (let i = 0; i < 6 && (await focused(page)).testid !== `exit-maintenance-${hostId}`; i++) await page.keyboard.press('ArrowDown')
    expectTrue((await focused(page)).testid === `exit-maintenance-${hostId}`, 'Exit maintenance is not in the menu')
    await page.keyboard.press('Enter')
    await page.getByTestId(`maintenance-${hostId}`).waitFor({ state: 'detached', timeout: 10_000 })
    expectTrue((await focused(page)).testid === menuButton.testid, 'after Exit maintenance focus left the host')
    // Esc closes the menu, focus back on its button.
    await page.keyboard.press('Enter')
    await page.getByTestId(`host-actions-${hostId}`).waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId(`host-actions-${hostId}`).waitFor({ state: 'detached' })
    expectTrue((await focused(page)).testid === menuButton.testid, 'after Esc focus left the host')

    // A policy parameter, typed and applied.
    await goTo(page, 'policies')
    await audit('Policies')
    const field = await tabTo(page, 'a text parameter', (f) => f.testid.startsWith('policy-param-') && f.tag === 'input')
    const before = await page.getByTestId(field.testid).inputValue()
    const next = String(Number(before) > 0 ? Number(before) * 0.9 : 1).slice(0, 6)
    await page.keyboard.press('Control+A')
    await page.keyboard.type(next)
    await tabTo(page, 'Apply policy', (f) => f.testid === 'policy-apply' && !f.disabled)
    await page.keyboard.press('Enter')
    await page.waitForFunction((id) => (document.querySelector('[data-testid="policy-apply"]') as HTMLButtonElement | null)?.disabled === true
      && (document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | null) !== null, field.testid, { timeout: 10_000 })
    const refusal = page.getByTestId('policy-refusal')
    expectTrue(await refusal.count() === 0, `the policy was refused: ${await refusal.count() > 0 ? await refusal.textContent() : ''}`)
    expectTrue(Number(await page.getByTestId(field.testid).inputValue()) === Number(next), `${field.testid} reads ${await page.getByTestId(field.testid).inputValue()} after Apply, not ${next}`)

    // History, filtered by the migrated VM.
    await goTo(page, 'history')
    await page.locator('[data-testid^="history-row-"]').first().waitFor({ timeout: 10_000 })
    await audit('History')
    await tabTo(page, 'the VM filter', byId('filter-vm'))
    await page.keyboard.type(vmId)
    await page.keyboard.press('Enter')
    await page.waitForFunction((vm) => {
      const rows = [...document.querySelectorAll('[data-testid^="history-row-"]')]
      return rows.length > 0 && rows.every((row) => row.textContent?.includes(vm))
    }, vmId, { timeout: 10_000 })

    // Experiments: one short run, then Export CSV.
    await goTo(page, 'experiments')
    await tabTo(page, 'hours', byId('experiment-hours'))
    await page.keyboard.press('Control+A')
    await page.keyboard.type('0.5')
    await tabTo(page, 'Run', (f) => f.testid === 'experiment-run' && !f.disabled)
    await page.keyboard.press('Enter')
    await page.getByTestId('experiment-export-csv').waitFor({ timeout: 90_000 })
    await audit('Experiments')
    await tabTo(page, 'Export CSV', byId('experiment-export-csv'))
    const download = page.waitForEvent('download', { timeout: 10_000 })
    await page.keyboard.press('Enter')
    expectTrue((await download).suggestedFilename().endsWith('.csv'), 'the export is not a CSV file')

    await goTo(page, 'network')
    await audit('Network')
    expectTrue(problems.length === 0, `keyboard problems:\n  ${problems.join('\n  ')}`)
  }
}

// Goal: CSV the CLI writes reads back to the same values, whatever the cells hold (commas, quotes, CR, LF,
// leading spaces, unicode), and a sweep run whose policy name holds them survives sweep → CSV → merge.
// Method: fast-check properties over the csv-stringify/csv-parse helpers and the sweep CSV writer/reader.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCsv, toCsv } from '../../main/support/csv'
import { toCsv as sweepCsv } from '../../cli/commands/sweep'
import { parseCsvRuns } from '../../cli/commands/merge'
import { RUN_SUMMARY_FIELDS, type RunSummary } from '../../engine/metrics/summary'

const nasty = fc.oneof(
  fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', ' ', 'a', 'é', '\t', ';') }),
  fc.string({ unit: 'grapheme' }),
  fc.string()
)

describe('CSV round trip', () => {
  it('reads back every cell as written, with commas, quotes, CR and LF', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }).chain((width) => fc.tuple(
      fc.array(nasty, { minLength: width, maxLength: width }),
      fc.array(fc.array(nasty, { minLength: width, maxLength: width }), { maxLength: 8 })
    )), ([header, rows]) => {
      const text = toCsv(header, rows)
      const records = parseCsv(text)
      // Two or more cells: even an all-empty record is a line of commas, never a blank line that is skipped.
      expect(records).toEqual([header, ...rows])
    }), { numRuns: 300 })
  })

  it('keeps a sweep run whose text fields hold separators, quotes and line breaks', () => {
    const base = { ...Object.fromEntries(RUN_SUMMARY_FIELDS.map((field) => [field, 0])), compat: 'faithful', compatSwitches: '' } as unknown as RunSummary
    fc.assert(fc.property(nasty.filter((s) => s !== ''), fc.string({ minLength: 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.option(fc.nat(), { nil: null }), nasty, (policy, traceHash, energyKWh, lostWrites, compatSwitches) => {
        const run = { ...base, policy, traceHash, energyKWh, seed: 3, lostWrites, compatSwitches } as RunSummary
        const parsed = parseCsvRuns(sweepCsv([run, run]), 'x.csv')
        expect(parsed.runs).toEqual([run, run].map((r) => ({ ...r, energyKWh: Object.is(r.energyKWh, -0) ? 0 : r.energyKWh })))
      }), { numRuns: 300 })
  })

  it('quotes what needs quoting and nothing else', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', 'cr\r'], [1, null]])).toBe('a,b\n"x,y","say ""hi"""\n"line\nbreak","cr\r"\n1,\n')
  })
})

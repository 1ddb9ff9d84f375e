// Every CSV Cutover writes or reads (CLI, experiments, history export) goes through csv-stringify / csv-parse (RFC 4180 quoting of commas, quotes,
// CR and LF), never through hand-rolled splitting. Their browser builds: the Experiments view (in Chromium) shares this
// module with the CLI through the experiment summary, and the Node builds need Buffer. null and undefined are written as empty cells.
import { parse } from 'csv-parse/browser/esm/sync'
import { stringify } from 'csv-stringify/browser/esm/sync'

export type CsvCell = string | number | boolean | null | undefined

/** A header row and data rows as CSV text, LF line ends, a trailing newline. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return stringify([header as string[], ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : cell)))], {
    // A lone CR is not our record delimiter, so csv-stringify leaves it bare; readers (csv-parse included)
    // take it for a line end. Quote it (found by the round-trip property test).
    record_delimiter: 'unix', quoted_match: /\r/, cast: { boolean: (value) => String(value), number: (value) => String(value) }
  })
}

/** The records of CSV text, cells as written (no trimming, no type guessing); blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  return parse(text, { skip_empty_lines: true, relax_column_count: true, bom: true }) as string[][]
}

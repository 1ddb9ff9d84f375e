// The scenario presets shipped in scenarios/: listed with one line each, loaded by name (a name can never
// escape the folder), parsed as JSON with a clear error.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { attachTracePack } from './trace-files'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ScenarioSummary } from '../ipc/contract'

/** The repository (or packaged app) root: the nearest folder above this module holding scenarios/. */
export function defaultScenariosDir(): string {
  if (process.env.CUTOVER_SCENARIOS_DIR !== undefined) return process.env.CUTOVER_SCENARIOS_DIR
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'scenarios')) && existsSync(join(dir, 'package.json'))) return join(dir, 'scenarios')
    dir = dirname(dir)
  }
  return join(process.cwd(), 'scenarios')
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

function count(groups: unknown): number {
  if (!Array.isArray(groups)) return 0
  return groups.reduce((sum: number, group: { count?: unknown }) => sum + (typeof group.count === 'number' ? group.count : 1), 0)
}

export class ScenarioLibrary {
  constructor(readonly dir: string = defaultScenariosDir()) {}

  list(): ScenarioSummary[] {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir).filter((file) => file.endsWith('.json')).sort().flatMap((file) => {
      try {
        const doc = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as Record<string, unknown>
        return [{ name: file.slice(0, -5), description: String(doc.description ?? ''), hosts: count(doc.hosts), vms: count(doc.vms) }]
      } catch {
        return []
      }
    })
  }

  /** The parsed scenario document, or an Error whose message names the problem. */
  load(name: string): unknown {
    if (!NAME.test(name)) throw new Error(`scenario name "${name}" is not a preset name`)
    const path = join(this.dir, `${name}.json`)
    if (!existsSync(path)) throw new Error(`no scenario named "${name}" (see scenario:list)`)
    let document: unknown
    try {
      document = JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      throw new Error(`scenario ${name}: not valid JSON (${(error as Error).message})`)
    }
    return attachTracePack(document, path)
  }
}

// The live-migration protocol as a timeline: which stages apply to a migration and whether each is done,
// current, pending, skipped or where it failed. Stage names, labels and each strategy's stages come from the
// engine catalog; this module only lays them out.
import type { EngineCatalog, MigrationView, Stage } from '../../../main/ipc/contract'

export type StageState = 'done' | 'current' | 'pending' | 'failed' | 'skipped'

export interface StageStep { readonly stage: Stage; readonly label: string; readonly state: StageState }

export function stageSteps(migration: Pick<MigrationView, 'strategy' | 'stage' | 'outcome'>, catalog: Pick<EngineCatalog, 'strategies' | 'stages'>): StageStep[] {
  const own = catalog.strategies.find((s) => s.name === migration.strategy)?.stages ?? []
  // An optional stage (post-copy) is shown only where it happens; another stage the strategy skips stays, marked skipped.
  const timeline = catalog.stages.filter((s) => !s.optional || own.includes(s.name) || migration.stage === s.name)
  const finished = migration.stage === 'done' || migration.outcome !== null
  const currentIndex = timeline.findIndex((s) => s.name === migration.stage)
  return timeline.map(({ name, label }, index) => {
    let state: StageState
    if (!own.includes(name) && name !== migration.stage) state = 'skipped'
    else if (migration.outcome === 'completed' || (finished && migration.outcome === null)) state = 'done'
    else if (currentIndex < 0) state = 'pending'
    else if (index < currentIndex) state = 'done'
    else if (index === currentIndex) state = migration.outcome === null ? 'current' : 'failed'
    else state = 'pending'
    return { stage: name, label, state }
  })
}

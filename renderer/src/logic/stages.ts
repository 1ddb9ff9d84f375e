// The six-stage live-migration protocol (plus post-copy) as a timeline: which stages apply to a migration
// and whether each is done, current, pending or where it failed. Stage names are the engine's.
import type { MigrationView } from '../../../main/ipc/contract'

export const BASE_STAGES = ['pre-migration', 'reservation', 'precopy', 'stop-and-copy', 'commit', 'activation'] as const
export type StageState = 'done' | 'current' | 'pending' | 'failed' | 'skipped'

export interface StageStep { readonly stage: string; readonly label: string; readonly state: StageState }

const LABELS: Readonly<Record<string, string>> = {
  'pre-migration': 'Pre-migration', reservation: 'Reservation', precopy: 'Pre-copy', 'stop-and-copy': 'Stop & copy',
  commit: 'Commit', activation: 'Activation', postcopy: 'Post-copy'
}

/** Strategies that pull or push pages after the VM resumes on the destination. */
export function hasPostcopy(migration: Pick<MigrationView, 'strategy' | 'stage'>): boolean {
  return migration.stage === 'postcopy' || ['postcopy', 'hybrid', 'demand'].includes(migration.strategy)
}

/** Strategies that skip the iterative pre-copy stage. */
function skipsPrecopy(strategy: string): boolean {
  return ['stop-and-copy', 'postcopy', 'demand'].includes(strategy)
}

export function stageSteps(migration: Pick<MigrationView, 'strategy' | 'stage' | 'outcome'>): StageStep[] {
  const stages: string[] = [...BASE_STAGES]
  if (hasPostcopy(migration)) stages.push('postcopy')
  const finished = migration.stage === 'done' || migration.outcome !== null
  const currentIndex = stages.indexOf(migration.stage)
  return stages.map((stage, index) => {
    let state: StageState
    if (stage === 'precopy' && skipsPrecopy(migration.strategy)) state = 'skipped'
    else if (migration.outcome === 'completed' || (finished && migration.outcome === null)) state = 'done'
    else if (currentIndex < 0) state = 'pending'
    else if (index < currentIndex) state = 'done'
    else if (index === currentIndex) state = migration.outcome === null ? 'current' : 'failed'
    else state = 'pending'
    return { stage, label: LABELS[stage] ?? stage, state }
  })
}

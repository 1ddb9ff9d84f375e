// The strategy interface and its registry: a strategy decides how memory moves; the Migration owns the protocol.
import type { MigrationControl } from '../control'
import type { StrategyName } from '../types'
import { ClarkPrecopy } from './precopy-clark'
import { QemuPrecopy } from './precopy-qemu'
import { PostcopyStrategy } from './postcopy'
import { StopAndCopy } from './stop-and-copy'

export interface Strategy {
  begin(): void
  /** cancelAfterUs elapsed; default: abort if not committed. */
  onCancel?(): void
}

export function strategyFor(name: StrategyName, migration: MigrationControl): Strategy {
  switch (name) {
    case 'stop-and-copy': return new StopAndCopy(migration)
    case 'precopy': return new ClarkPrecopy(migration)
    case 'precopy-qemu': return new QemuPrecopy(migration, false)
    case 'hybrid': return new QemuPrecopy(migration, true)
    case 'postcopy': return new PostcopyStrategy(migration, 'postcopy')
    case 'demand': return new PostcopyStrategy(migration, 'demand')
  }
}

// Which protocol stages each strategy can enter, so a fault planned at a stage a strategy never reaches is
// refused up front instead of silently never firing. Hybrid enters post-copy only when pre-copy does not converge.
import type { FaultStage } from '../faults/vocabulary'
import type { StrategyName } from './types'

export const STRATEGY_STAGES: Readonly<Record<StrategyName, readonly FaultStage[]>> = {
  'stop-and-copy': ['reservation', 'stop-and-copy', 'commit', 'activation'],
  precopy: ['reservation', 'precopy', 'stop-and-copy', 'commit', 'activation'],
  'precopy-qemu': ['reservation', 'precopy', 'stop-and-copy', 'commit', 'activation'],
  hybrid: ['reservation', 'precopy', 'stop-and-copy', 'commit', 'activation', 'postcopy'],
  postcopy: ['reservation', 'stop-and-copy', 'commit', 'activation', 'postcopy'],
  demand: ['reservation', 'stop-and-copy', 'commit', 'activation', 'postcopy']
}

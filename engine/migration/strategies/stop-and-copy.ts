// Pure stop-and-copy: suspend, copy every page and the CPU state at link rate, commit, resume on the destination.
import type { MigrationControl } from '../control'
import type { Strategy } from './index'

export class StopAndCopy implements Strategy {
  constructor(private readonly migration: MigrationControl) {}

  begin(): void {
    const m = this.migration
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    m.runPass({ phase: 'stop-and-copy', toSend: m.allPages(), rateLimitBitPerS: null, extraBytes: m.params.cpuStateBytes }, () => {
      m.markFinalCopyDone()
      m.commitAndActivate()
    })
  }
}

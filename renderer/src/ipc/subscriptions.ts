// Connects push channels to stores, once, at app start (never per component mount): status, snapshots,
// host-side errors (as toasts) and experiment progress. Returns one function that disconnects them all.
import { getApi } from './api'
import { feedSnapshot } from './snapshot-feed'
import { useSimStore } from '../stores/sim'
import { useUiStore } from '../stores/ui'
import { useExperimentsStore } from '../stores/experiments'

export function connectSubscriptions(): () => void {
  const api = getApi()
  const sim = useSimStore()
  const ui = useUiStore()
  const experiments = useExperimentsStore()
  const offs = [
    api.on('sim:status', (status) => sim.applyStatus(status)),
    api.on('sim:snapshot', (snapshot) => feedSnapshot(snapshot)),
    api.on('sim:error', (error) => ui.notify(error.message, 'error')),
    api.on('experiment:progress', (progress) => experiments.applyProgress(progress))
  ]
  return () => offs.forEach((off) => off())
}

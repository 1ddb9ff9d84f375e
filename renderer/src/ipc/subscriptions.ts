// Connects push channels to stores, once, at app start (never per component mount).
import { getApi } from './api'
import { useSimStore } from '../stores/sim'

export function connectSubscriptions(): () => void {
  const sim = useSimStore()
  const offStatus = getApi().on('sim:status', (status) => sim.applyStatus(status))
  return () => offStatus()
}

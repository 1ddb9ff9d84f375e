// `npm run bench -- host`: while dc-1000 runs as fast as possible in the engine worker, the main thread's
// event-loop lag p99 (target < 20 ms) and the push rate and bytes per second towards the UI.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createAppServices } from '../main/app-services'
import { report } from './support'

export async function run(): Promise<void> {
  const services = createAppServices({ mode: 'browser', initialScenario: 'dc-1000', log: () => {} })
  await services.ready
  let pushes = 0
  let bytes = 0
  // Counted the way the browser-mode server sends them: objects are encoded, JSON snapshots forwarded as text.
  services.connectPushes({
    push: (_channel, payload) => { pushes++; bytes += JSON.stringify(payload).length },
    pushJson: (_channel, json) => { pushes++; bytes += json.length }
  })
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  services.host.pacer.setSpeed(null)
  services.host.pacer.play()
  const wallMs = 10_000
  await new Promise((resolve) => setTimeout(resolve, wallMs))
  lag.disable()
  const simulatedS = services.host.status().nowUs / 1e6
  services.dispose()
  report('dc-1000 as fast as possible: main-thread lag p99', `${(lag.percentile(99) / 1e6).toFixed(1)} ms (max ${(lag.max / 1e6).toFixed(1)} ms)`, '< 20 ms')
  report('pushes to the UI', `${(pushes / (wallMs / 1000)).toFixed(1)} /s, ${(bytes / (wallMs / 1000) / 1e3).toFixed(0)} kB/s`, '≤ 30 snapshot pushes/s')
  report('virtual time covered in 10 s of wall time', `${simulatedS.toFixed(0)} s (${(simulatedS / 10).toFixed(0)}×)`)
}

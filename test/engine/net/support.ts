// Shared helpers for the network tests: a simulation typed for net events, an event recorder, and a
// random-LAN generator (a random tree of switches with hosts and clients hung off it) for property tests.
import fc from 'fast-check'
import { Simulation } from '../../../engine/kernel/index'
import type { LanSpec, LinkSpec, NetEvent } from '../../../engine/net/index'

export type Recorded = NetEvent & { readonly atUs: number; readonly seq: number }

export function newSim(seed = 1): Simulation<NetEvent> {
  return new Simulation<NetEvent>(seed)
}

/** Every event the simulation emits from now on, in order. */
export function record(sim: Simulation<NetEvent>): Recorded[] {
  const events: Recorded[] = []
  sim.subscribe((event) => events.push(event))
  return events
}

export function ofKind<K extends NetEvent['kind']>(events: readonly Recorded[], kind: K): (Recorded & { kind: K })[] {
  return events.filter((event): event is Recorded & { kind: K } => event.kind === kind)
}

export interface RandomLanShape {
  readonly switchParents: readonly number[]
  readonly hostSwitches: readonly number[]
  readonly clientSwitches: readonly number[]
  readonly capacitiesMbitPerS: readonly number[]
  readonly queueBytes: number
}

/** A random tree: switch i > 0 hangs off an earlier switch; hosts and clients off any switch. */
export const randomLanShape: fc.Arbitrary<RandomLanShape> = fc.integer({ min: 1, max: 4 }).chain((switches) =>
  fc.record({
    switchParents: fc.tuple(...Array.from({ length: switches - 1 }, (_, i) => fc.integer({ min: 0, max: i }))),
    hostSwitches: fc.array(fc.integer({ min: 0, max: switches - 1 }), { minLength: 2, maxLength: 8 }),
    clientSwitches: fc.array(fc.integer({ min: 0, max: switches - 1 }), { minLength: 1, maxLength: 3 }),
    capacitiesMbitPerS: fc.array(fc.constantFrom(10, 100, 250, 1_000, 2_500, 10_000), { minLength: 16, maxLength: 16 }),
    queueBytes: fc.constantFrom(4_096, 64 << 10, 1 << 20)
  }))

export function lanFromShape(shape: RandomLanShape): LanSpec {
  const links: LinkSpec[] = []
  const capacity = (i: number): number => shape.capacitiesMbitPerS[i % shape.capacitiesMbitPerS.length]
  const link = (a: string, b: string): void => {
    links.push({ a, b, capacityMbitPerS: capacity(links.length), latencyUs: 1 + (links.length % 7), queueBytes: shape.queueBytes })
  }
  const switches = [{ id: 'sw-0' }]
  shape.switchParents.forEach((parent, i) => {
    switches.push({ id: `sw-${i + 1}` })
    link(`sw-${i + 1}`, `sw-${parent}`)
  })
  const hosts = shape.hostSwitches.map((sw, i) => {
    link(`host-${i}`, `sw-${sw}`)
    return { id: `host-${i}` }
  })
  const clients = shape.clientSwitches.map((sw, i) => {
    link(`client-${i}`, `sw-${sw}`)
    return { id: `client-${i}` }
  })
  const vms = hosts.map((host, i) => ({ id: `vm-${i}`, hostId: host.id }))
  return { switches, hosts, vms, clients, links }
}

// Goal: a LAN description is checked before it is built, and every problem names its field path.
// Method: valid builder output passes; hand-broken descriptions produce the exact messages.
import { describe, expect, test } from 'vitest'
import { singleSwitchLan, twoTierLan, validateLanSpec, validateNetFaults, announceOffsetsUs, QEMU_ANNOUNCE_DEFAULTS } from '../../../engine/net/index'
import { Lan } from '../../../engine/net/index'
import { msToUs } from '../../../engine/kernel/index'
import { newSim } from './support'

describe('validateLanSpec', () => {
  test('accepts the builders’ layouts', () => {
    expect(validateLanSpec(singleSwitchLan(4))).toEqual([])
    expect(validateLanSpec(twoTierLan(3, 4, { remoteClients: 2, vmMacPolicy: 'per-host' }))).toEqual([])
  })

  test('reports a bad link capacity with its field path and value', () => {
    const spec = singleSwitchLan(4)
    const links = spec.links.map((link, i) => (i === 3 ? { ...link, capacityMbitPerS: -4 } : link))
    expect(validateLanSpec({ ...spec, links })).toEqual(['links[3].capacityMbitPerS: expected a positive number, got -4'])
  })

  test('reports bad addresses, types and unknown fields with their paths', () => {
    const issues = validateLanSpec({
      switches: [{ id: 'sw' }],
      hosts: [{ id: 'h0', mac: '02:00:00:00:00:01' }, { id: 'h0', ip: '10.0.0.300' }, { id: 'h2', mac: '03:00:00:00:00:01' }],
      vms: [{ id: 'v0', hostId: 'nowhere' }],
      links: [{ a: 'h0', b: 'sw', capacityMbitPerS: 1000, latencyUs: 1.5, queueBytes: 9000, colour: 'red' }],
      vmMacPolicy: 'sometimes'
    })
    expect(issues).toEqual([
      'hosts[1].ip: expected a unicast dotted IPv4 address, got "10.0.0.300"',
      'hosts[2].mac: expected a unicast MAC (even first octet), got "03:00:00:00:00:01"',
      'links[0].latencyUs: expected an integer, got 1.5',
      'links[0]: unknown field "colour"',
      'vmMacPolicy: expected one of "moves-with-vm", "per-host", got "sometimes"'
    ])
  })

  test('once the fields are valid, reports unknown references, duplicate ids and addresses, and attachments', () => {
    const issues = validateLanSpec({
      switches: [{ id: 'sw' }],
      hosts: [{ id: 'h0', mac: '02:00:00:00:00:01' }, { id: 'h0', ip: '10.0.0.3' }, { id: 'h2', mac: '02:00:00:00:00:01' }],
      vms: [{ id: 'v0', hostId: 'nowhere' }],
      links: [{ a: 'h0', b: 'sw', capacityMbitPerS: 1000, latencyUs: 1, queueBytes: 9000 }]
    })
    expect(issues).toContain('hosts[1].id: duplicate id "h0" (also hosts[0])')
    expect(issues).toContain('hosts[2].mac: duplicate address (also hosts[0].mac)')
    expect(issues).toContain('vms[0].hostId: expected the id of a host, got "nowhere"')
    expect(issues).toContain('hosts[2]: a host needs exactly one link, to a switch (has 0)')
  })

  test('rejects cycles, disconnected nodes and VMs used as link ends', () => {
    const issues = validateLanSpec({
      switches: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      hosts: [{ id: 'h' }],
      vms: [{ id: 'v', hostId: 'h' }],
      links: [
        { a: 'a', b: 'b', capacityMbitPerS: 1, latencyUs: 1, queueBytes: 100 },
        { a: 'b', b: 'a', capacityMbitPerS: 1, latencyUs: 1, queueBytes: 100 },
        { a: 'h', b: 'a', capacityMbitPerS: 1, latencyUs: 1, queueBytes: 100 },
        { a: 'v', b: 'a', capacityMbitPerS: 1, latencyUs: 1, queueBytes: 100 }
      ]
    })
    expect(issues).toContain('links[1]: closes a cycle between b and a; the LAN must be a tree')
    expect(issues).toContain('switches[2]: not connected to a; every node must be reachable')
    expect(issues).toContain('links[3].a: VMs attach through their host, not by a link (got "v")')
  })

  test('a Lan refuses an invalid description loudly', () => {
    expect(() => new Lan(newSim(), { switches: [], hosts: [], links: [] })).toThrow(/switches: expected at least 1 item, got an array of 0/)
  })

  test('validates fault schedules against the LAN', () => {
    const targets = { linkIds: ['l0'], hostIds: ['h0'] }
    expect(validateNetFaults([{ kind: 'link-down', atUs: 5, linkId: 'l0' }, { kind: 'heal', atUs: 9 }], targets)).toEqual([])
    expect(validateNetFaults([
      { kind: 'link-down', atUs: -1, linkId: 'l9' },
      { kind: 'partition', atUs: 0, hostIds: [] },
      { kind: 'link-capacity', atUs: 0, linkId: 'l0', capacityMbitPerS: 0 },
      { kind: 'melt', atUs: 0 }
    ], targets)).toEqual([
      'faults[0].atUs: expected a non-negative number, got -1',
      'faults[0].linkId: expected the id of a link, got "l9"',
      'faults[1].hostIds: expected at least 1 item, got an array of 0',
      'faults[2].capacityMbitPerS: expected a positive number, got 0',
      'faults[3].kind: unknown kind, got "melt"'
    ])
  })
})

describe('announce schedule', () => {
  test('QEMU defaults announce at 0, 50, 200, 450 and 800 ms', () => {
    expect(announceOffsetsUs(QEMU_ANNOUNCE_DEFAULTS)).toEqual([0, 50, 200, 450, 800].map(msToUs))
  })

  test('gaps grow by the step and stop at the maximum', () => {
    expect(announceOffsetsUs({ initialUs: 100, maxUs: 250, rounds: 5, stepUs: 100 })).toEqual([0, 100, 300, 550, 800])
  })
})

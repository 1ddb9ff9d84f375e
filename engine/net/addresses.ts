// MAC and IPv4 addresses: parsing, formatting and interning. A MAC is held as a 48-bit integer and
// interned to a dense index (0 is broadcast) so switch tables are arrays; indices are minted in
// first-use order, never from hashing, so they are deterministic.
import { assert } from '../kernel/assert'

export const BROADCAST_MAC_INDEX = 0
const BROADCAST_MAC_VALUE = 0xffff_ffff_ffff
const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/
const IP_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

export function isMacText(text: string): boolean {
  return MAC_PATTERN.test(text)
}

/** 48-bit value of `aa:bb:cc:dd:ee:ff` (lower-case hex). */
export function parseMac(text: string): number {
  assert(isMacText(text), `not a MAC address: ${text}`)
  return parseInt(text.replace(/:/g, ''), 16)
}

export function formatMac(value: number): string {
  const hex = value.toString(16).padStart(12, '0')
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`
}

/** The group bit (least significant bit of the first octet) marks multicast/broadcast. */
export function isUnicastMac(value: number): boolean {
  return Math.floor(value / 0x100_0000_0000) % 2 === 0
}

export function parseIp(text: string): number | undefined {
  const match = IP_PATTERN.exec(text)
  if (match === null) return undefined
  let value = 0
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i])
    if (octet > 255) return undefined
    value = value * 256 + octet
  }
  return value
}

export function formatIp(value: number): string {
  return `${Math.floor(value / 0x100_0000) % 256}.${Math.floor(value / 0x1_0000) % 256}.${Math.floor(value / 0x100) % 256}.${value % 256}`
}

/** Dense MAC indices with the current owner of each address (an endpoint index, or -1 when none). */
export class MacRegistry {
  private readonly values: number[] = [BROADCAST_MAC_VALUE]
  private readonly texts: string[] = [formatMac(BROADCAST_MAC_VALUE)]
  private readonly owners: number[] = [-1]
  private readonly indexByValue = new Map<number, number>([[BROADCAST_MAC_VALUE, BROADCAST_MAC_INDEX]])

  get size(): number {
    return this.values.length
  }

  intern(value: number): number {
    let index = this.indexByValue.get(value)
    if (index === undefined) {
      index = this.values.length
      this.values.push(value)
      this.texts.push(formatMac(value))
      this.owners.push(-1)
      this.indexByValue.set(value, index)
    }
    return index
  }

  text(index: number): string {
    return this.texts[index]
  }

  value(index: number): number {
    return this.values[index]
  }

  owner(index: number): number {
    return this.owners[index]
  }

  setOwner(index: number, endpointIndex: number): void {
    assert(index !== BROADCAST_MAC_INDEX, 'the broadcast MAC has no owner')
    this.owners[index] = endpointIndex
  }
}

/** Locally administered MAC minted from a counter: 02:00:00:xx:xx:xx. */
export function mintedMac(serial: number): number {
  return 0x0200_0000_0000 + serial
}

/** The MAC a VM's vNIC gets on a given host under the `per-host` policy: 0a:hh:hh:vv:vv:vv. */
export function perHostMac(hostSerial: number, vmSerial: number): number {
  return 0x0a00_0000_0000 + (hostSerial % 0x1_0000) * 0x100_0000 + (vmSerial % 0x100_0000)
}

/** IPv4 minted from a counter inside 10.0.0.0/8, skipping .0 and .255 host parts. */
export function mintedIp(serial: number): number {
  const perBlock = 254
  const block = Math.floor(serial / perBlock)
  return 0x0a00_0000 + block * 256 + (serial % perBlock) + 1
}

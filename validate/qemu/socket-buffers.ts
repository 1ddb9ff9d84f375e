// The machine's TCP buffer ceilings, which bound what QEMU's migration socket takes ahead of the receiver on
// loopback: the sender's send buffer (tcp_wmem max) and the receiver's autotuned window (tcp_rmem max). QEMU's
// downtime clock stops once the last byte is written into that path, so Cutover is told its size
// (`--socket-buffer-bytes`).
import { readFileSync } from 'node:fs'

/** The third field (max) of a tcp_wmem / tcp_rmem line ("min default max"); null when it is not one. */
export function maxOfTcpMemLine(text: string): number | null {
  const fields = text.trim().split(/\s+/)
  if (fields.length !== 3) return null
  const max = Number(fields[2])
  return Number.isSafeInteger(max) && max > 0 ? max : null
}

/** tcp_wmem max + tcp_rmem max of this machine (bytes); null where /proc does not say (not Linux). */
export function machineSocketBufferBytes(procDir = '/proc/sys/net/ipv4'): number | null {
  try {
    const wmem = maxOfTcpMemLine(readFileSync(`${procDir}/tcp_wmem`, 'utf8'))
    const rmem = maxOfTcpMemLine(readFileSync(`${procDir}/tcp_rmem`, 'utf8'))
    return wmem === null || rmem === null ? null : wmem + rmem
  } catch {
    return null
  }
}

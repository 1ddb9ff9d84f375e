// Headers every browser-mode response carries (pages, files, errors and refused upgrades alike).
import { CONTENT_SECURITY_POLICY } from '../security'

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Cross-origin isolation: no other origin can hold a reference to the app's window or embed its files, and
  // the page gets precise timers (performance.now at 5 µs instead of 100 µs), which the frame benchmark needs.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store'
}

/** The same headers as raw HTTP lines, for answers written straight to a socket (a refused upgrade). */
export function rawSecurityHeaderLines(): string {
  return Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join('')
}

/** Only these Host headers reach the app: a page on another name (DNS rebinding) gets nothing. */
export function allowedHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`])
}

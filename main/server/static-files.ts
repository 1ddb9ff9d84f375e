// Serves the built renderer (out/renderer) read-only: no directory listing, no path escaping the root, and a
// malformed path (bad percent-encoding, a NUL byte) is a 400, never a throw.
import { createReadStream, existsSync, statSync } from 'node:fs'
import { extname, join, normalize, resolve, sep } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SECURITY_HEADERS } from './security-headers'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.woff2': 'font/woff2', '.ico': 'image/x-icon'
}

/** The decoded URL path, or undefined when it is not a well-formed path (a 400). */
export function decodeRequestPath(rawUrl: string): string | undefined {
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(rawUrl, 'http://127.0.0.1').pathname)
  } catch {
    return undefined
  }
  return pathname.includes('\0') ? undefined : pathname
}

export function serveStatic(rootDir: string, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed')
  const urlPath = decodeRequestPath(request.url ?? '/')
  if (urlPath === undefined) return sendText(response, 400, 'malformed path')
  const root = resolve(rootDir)
  const relative = normalize(urlPath === '/' ? '/index.html' : urlPath).replace(/^([/\\])+/, '')
  const filePath = join(root, relative)
  if (filePath !== root && !filePath.startsWith(root + sep)) return sendText(response, 403, 'forbidden')
  if (!existsSync(filePath) || !statSync(filePath).isFile()) return sendText(response, 404, 'not found')
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentTypes[extname(filePath)] ?? 'application/octet-stream' })
  if (request.method === 'HEAD') return void response.end()
  const stream = createReadStream(filePath)
  // A file that vanishes or cannot be read mid-response ends that response only.
  stream.on('error', () => response.destroy())
  stream.pipe(response)
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
  response.end(text)
}

// Serves the built renderer (out/renderer) read-only: no directory listing, no path escaping the root.
import { createReadStream, existsSync, statSync } from 'node:fs'
import { extname, join, normalize, resolve, sep } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CONTENT_SECURITY_POLICY } from '../security'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.woff2': 'font/woff2', '.ico': 'image/x-icon'
}

export function serveStatic(rootDir: string, request: IncomingMessage, response: ServerResponse): void {
  const root = resolve(rootDir)
  const urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)
  const relative = normalize(urlPath === '/' ? '/index.html' : urlPath).replace(/^([/\\])+/, '')
  const filePath = join(root, relative)
  if (filePath !== root && !filePath.startsWith(root + sep)) return sendText(response, 403, 'forbidden')
  if (!existsSync(filePath) || !statSync(filePath).isFile()) return sendText(response, 404, 'not found')
  response.writeHead(200, {
    'Content-Type': contentTypes[extname(filePath)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    // Cross-origin isolation: no other origin can hold a reference to the app's window or embed its files, and
    // the page gets precise timers (performance.now at 5 µs instead of 100 µs), which the frame benchmark needs.
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store'
  })
  createReadStream(filePath).pipe(response)
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' })
  response.end(text)
}

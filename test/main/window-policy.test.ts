// Electron security settings asserted without Electron: window options, CSP and the navigation predicate.
import { describe, it, expect } from 'vitest'
import { secureWebPreferences, isAppUrl } from '../../main/window-policy'
import { CONTENT_SECURITY_POLICY } from '../../main/security'

describe('window security policy', () => {
  it('isolates and sandboxes the renderer without Node', () => {
    expect(secureWebPreferences('/p/index.cjs')).toMatchObject({
      preload: '/p/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false
    })
  })

  it('allows only the app itself in the Content-Security-Policy', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:/)
  })

  it('blocks navigation away from the app', () => {
    expect(isAppUrl('file:///opt/cutover/out/renderer/index.html', undefined)).toBe(true)
    expect(isAppUrl('https://example.com/', undefined)).toBe(false)
    expect(isAppUrl('file:///etc/passwd', undefined)).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/history', 'http://localhost:5173')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
    expect(isAppUrl('not a url', undefined)).toBe(false)
  })
})

// Saves text as a file through a Blob URL and a temporary anchor (works in Electron and browser mode alike).

export function downloadText(text: string, fileName: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = fileName
  anchor.rel = 'noopener'
  document.body.appendChild(anchor)
  anchor.click()
  anchor.remove()
  // Revoke after the click has been handled; Chromium has read the URL by then.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

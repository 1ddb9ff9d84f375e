#!/usr/bin/env node
// `cutover` runs the built CLI (out/cli/main.js, made by scripts/build-cli.mjs from `npm ci`'s prepare step,
// `npm run build` and the test setup). Without a build, or with CUTOVER_FROM_SOURCE=1, it runs the TypeScript
// sources through tsx instead: slower to start (about 1 s), for development only.
import { existsSync } from 'node:fs'

const built = new URL('../out/cli/main.js', import.meta.url)
if (process.env.CUTOVER_FROM_SOURCE !== '1' && existsSync(built)) {
  await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../cli/main.ts')
}

#!/usr/bin/env node
// `cutover` runs the TypeScript CLI through tsx's loader, so a fresh `npm ci` needs no build step.
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')

// electron-vite build of the three Electron bundles. Entries live in top-level main/ and renderer/ (not
// electron-vite's default src/*), so every entry is explicit. better-sqlite3 stays external (native).
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))
const fromRoot = (path: string) => resolve(root, path)

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('out/main'),
      // The engine and experiment workers are separate entries: worker threads load them as files.
      lib: {
        entry: {
          index: fromRoot('main/index.ts'),
          'engine-worker': fromRoot('main/engine-host/worker.ts'),
          'sweep-worker': fromRoot('main/experiments/sweep-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: fromRoot('out/preload'),
      // CommonJS preload so it works with sandbox: true renderers.
      lib: { entry: fromRoot('main/preload/index.ts'), formats: ['cjs'] }
    }
  },
  renderer: {
    root: fromRoot('renderer'),
    plugins: [vue()],
    build: {
      outDir: fromRoot('out/renderer'),
      rolldownOptions: { input: fromRoot('renderer/index.html') }
    }
  }
})

// Layer rules: the folder a file lives in decides what it may import and which globals it may touch.
// engine/ is pure and deterministic; renderer/ sees only the IPC contract's types; electron stays in three files.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

const engineBannedImports = {
  patterns: [
    { group: ['node:*'], message: 'engine/ is pure: no node:* modules.' },
    { group: ['electron', 'electron/*'], message: 'engine/ may not import electron.' },
    { group: ['vue', 'pinia', '@vue/*'], message: 'engine/ may not import vue or pinia.' },
    { group: ['fs', 'path', 'os', 'worker_threads', 'child_process', 'crypto', 'better-sqlite3'],
      message: 'engine/ is pure: no Node built-ins or native modules.' },
    { group: ['**/main/**', '**/cli/**', '**/renderer/**', '**/migrations-db/**'],
      message: 'engine/ may not import from other layers.' }
  ]
}

// main/, cli/, bench/ and scripts/ reach the engine only through its front door, engine/index.ts.
const engineFrontDoorOnly = {
  group: ['**/engine/**', '!**/engine/index', '!**/engine/index.ts'],
  message: 'outside engine/ (and test/), import the engine only from engine/index.'
}
const electronOutsideMain = {
  group: ['electron', 'electron/*'], message: 'electron is imported only by main/index.ts, main/window.ts and main/preload/.'
}

const engineBannedSyntax = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'engine/ uses virtual time: no Date.now().' },
  { selector: "NewExpression[callee.name='Date']", message: 'engine/ uses virtual time: no new Date().' },
  { selector: "MemberExpression[object.name='performance'][property.name='now']", message: 'engine/ uses virtual time: no performance.now().' },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'engine/ uses seeded RNG streams: no Math.random().' },
  { selector: 'ForInStatement', message: 'engine/ iteration order must be explicit: no for…in.' },
  { selector: 'AwaitExpression', message: 'engine/ is synchronous: no await.' }
]

const engineBannedGlobals = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'clearTimeout',
  'clearInterval', 'Promise', 'crypto', 'process', 'window', 'document'].map((name) => ({
  name, message: `engine/ is pure and deterministic: no ${name}.`
}))

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'test/fixtures/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off'
    }
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', engineBannedImports],
      'no-restricted-syntax': ['error', ...engineBannedSyntax],
      'no-restricted-globals': ['error', ...engineBannedGlobals]
    }
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/main/ipc/contract', '**/main/ipc/contract.ts'], allowTypeImports: true,
            message: 'renderer/ may import only types from the IPC contract.' },
          { group: ['**/engine/**', '**/main/**', '!**/main/ipc/contract', '!**/main/ipc/contract.ts', '**/cli/**', '**/migrations-db/**', 'node:*', 'electron', 'better-sqlite3'],
            message: 'renderer/ may import only the IPC contract\'s types from outside itself.' }
        ]
      }]
    }
  },
  {
    files: ['**/*.ts'],
    ignores: ['main/index.ts', 'main/window.ts', 'main/preload/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electronOutsideMain] }]
    }
  },
  {
    // One rule list per file (a later block replaces an earlier one's list), so these repeat the electron rule.
    files: ['main/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'validate/**/*.ts'],
    ignores: ['main/index.ts', 'main/window.ts', 'main/preload/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [electronOutsideMain, engineFrontDoorOnly] }] }
  },
  {
    files: ['main/index.ts', 'main/window.ts', 'main/preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [engineFrontDoorOnly] }] }
  },
  {
    // engine keeps its own, stricter import list (the block above would replace it).
    files: ['engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', engineBannedImports] }
  },
  {
    files: ['main/**/*.ts', 'cli/**/*.ts', 'validate/**/*.ts', 'migrations-db/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', '*.config.ts'],
    languageOptions: { globals: { ...globals.node } }
  }
)

// `npm run security`: electronegativity's static checks over main/ (window options, CSP, preload, IPC); fails on
// any high-severity finding. Its CLI is broken on this toolchain (it needs a commander it does not declare), so
// this calls its programmatic entry. It may try to fetch Electron's release list and carries on without it.
import run from '@doyensec/electronegativity'
import { mkdirSync, writeFileSync } from 'node:fs'

run({
  input: 'main', output: undefined, isSarif: false, customScan: undefined, severitySet: 'informational',
  confidenceSet: undefined, isRelative: true, isVerbose: false, electronVersionOverride: '41.7.1', parserPlugins: []
}).then((result) => {
  const issues = result.issues ?? []
  mkdirSync('test-results', { recursive: true })
  writeFileSync('test-results/electronegativity.json', JSON.stringify(issues, null, 2))
  const high = issues.filter((issue) => ['HIGH', 'CRITICAL'].includes(issue.severity?.name ?? String(issue.severity)))
  for (const issue of issues) {
    process.stdout.write(`${issue.severity?.name ?? issue.severity} ${issue.id} ${issue.file}:${issue.location?.line ?? 0}\n`)
  }
  process.stdout.write(`electronegativity: ${issues.length} finding(s), ${high.length} high-severity\n`)
  process.exitCode = high.length === 0 ? 0 : 1
}).catch((error) => {
  process.stderr.write(`electronegativity failed: ${error.message}\n`)
  process.exitCode = 1
})

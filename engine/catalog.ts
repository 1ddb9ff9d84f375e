// The engine catalog (api/catalog.ts) assembled from its owners: the migration strategies and stages, and the
// policy registry (built-ins in their fixed order, then plugins), so the UI lists exactly what the engine runs.
import type { EngineCatalog } from './api/catalog'
import { AUTOMATION_LEVELS } from './api/names'
import { metricCatalog } from './api/metrics'
import { DEFAULT_STRATEGY, stageCatalog, strategyCatalog } from './migration/catalog'
import { createPolicyRegistry, type PolicyRegistry } from './policy/registry'

export function engineCatalog(registry: PolicyRegistry = createPolicyRegistry()): EngineCatalog {
  return {
    strategies: strategyCatalog(),
    defaultStrategy: DEFAULT_STRATEGY,
    stages: stageCatalog(),
    policies: registry.list().map((info) => ({ name: info.name, summary: info.summary, params: info.params })),
    automationLevels: [...AUTOMATION_LEVELS],
    metrics: metricCatalog()
  }
}

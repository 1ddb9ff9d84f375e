// Commands the UI (or a script) applies to a running world. Every command that moves a VM records who caused
// it (trigger) and why, so every migration can be traced to a user command or a policy action.
export type StrategyChoice = 'stop-and-copy' | 'demand' | 'precopy' | 'precopy-qemu' | 'postcopy' | 'hybrid'

export type EngineCommand =
  | { readonly kind: 'migrate'; readonly vmId: string; readonly destination: string; readonly strategy: StrategyChoice;
      readonly parameters?: Readonly<Record<string, number | boolean>> }
  | { readonly kind: 'abort-migration'; readonly migrationId: string }
  | { readonly kind: 'force-complete'; readonly migrationId: string }
  | { readonly kind: 'evacuate-host'; readonly hostId: string }
  | { readonly kind: 'exit-maintenance'; readonly hostId: string }
  | { readonly kind: 'fail-host'; readonly hostId: string }
  | { readonly kind: 'repair-host'; readonly hostId: string }
  | { readonly kind: 'power-host'; readonly hostId: string; readonly on: boolean }
  | { readonly kind: 'inject-fault'; readonly fault: 'link-down' | 'link-up' | 'partition' | 'heal'; readonly target: string }
  | { readonly kind: 'set-policy'; readonly policy: string; readonly automation: 'manual' | 'partial' | 'full';
      readonly parameters?: Readonly<Record<string, number | string | boolean>> }
  | { readonly kind: 'accept-recommendation'; readonly recommendationId: string }
  | { readonly kind: 'reject-recommendation'; readonly recommendationId: string }

/** Why a drop of a VM on a host is refused; null when allowed. Shared by the UI (drag feedback) and the engine. */
export type DropRefusal = 'no-memory' | 'anti-affinity' | 'host-down' | 'maintenance' | 'already-migrating' | 'same-host' | null

// A typed model of the part of the Kubernetes API the scale-out manifests use (batch/v1 Job, core/v1
// PersistentVolumeClaim, PodSpec, Container, ResourceRequirements, Volume), written from the API reference
// (kubernetes.io/docs/reference/kubernetes-api, v1.30). Objects are strict: a misspelt or misplaced field is an
// error, as `kubectl apply --validate=strict` would report it. Fields the manifests do not use are left out.
import { z } from 'zod'

/** resource.Quantity: a decimal with an optional binary (Ki…Ei) or decimal (m, k, M…E) suffix. */
export const quantity = z.union([
  z.string().regex(/^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/, 'expected a Kubernetes quantity'),
  z.number().nonnegative()
])
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63)
const dnsSubdomain = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).max(253)

const objectMeta = z.strictObject({
  name: dnsSubdomain,
  namespace: dnsLabel.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional()
})

const resourceRequirements = z.strictObject({
  requests: z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity).optional(),
  limits: z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity).optional()
})

const container = z.strictObject({
  name: dnsLabel,
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().startsWith('/').optional(),
  env: z.array(z.strictObject({ name: z.string().min(1), value: z.string().optional() })).optional(),
  resources: resourceRequirements.optional(),
  volumeMounts: z.array(z.strictObject({ name: dnsLabel, mountPath: z.string().startsWith('/'), readOnly: z.boolean().optional(), subPath: z.string().optional() })).optional()
})

const volume = z.strictObject({
  name: dnsLabel,
  persistentVolumeClaim: z.strictObject({ claimName: dnsSubdomain, readOnly: z.boolean().optional() }).optional(),
  emptyDir: z.strictObject({}).optional()
})

const podSpec = z.strictObject({
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']),
  containers: z.array(container).min(1),
  volumes: z.array(volume).optional(),
  nodeSelector: z.record(z.string(), z.string()).optional()
})

export const jobSchema = z.strictObject({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: objectMeta,
  spec: z.strictObject({
    completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
    completions: z.int().positive().optional(),
    parallelism: z.int().nonnegative().optional(),
    backoffLimit: z.int().nonnegative().optional(),
    backoffLimitPerIndex: z.int().nonnegative().optional(),
    maxFailedIndexes: z.int().nonnegative().optional(),
    activeDeadlineSeconds: z.int().positive().optional(),
    ttlSecondsAfterFinished: z.int().nonnegative().optional(),
    template: z.strictObject({
      metadata: z.strictObject({ labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() }).optional(),
      spec: podSpec
    })
  }).refine((spec) => spec.backoffLimitPerIndex === undefined || spec.completionMode === 'Indexed',
    { message: 'backoffLimitPerIndex needs completionMode Indexed' })
})

export const pvcSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('PersistentVolumeClaim'),
  metadata: objectMeta,
  spec: z.strictObject({
    accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])).min(1),
    resources: z.strictObject({ requests: z.strictObject({ storage: quantity }) }),
    storageClassName: z.string().optional()
  })
})

export type Job = z.output<typeof jobSchema>
export type Pvc = z.output<typeof pvcSchema>

/** A quantity in base units (cores, bytes) for comparing requests with limits. */
export function quantityValue(value: string | number): number {
  if (typeof value === 'number') return value
  const match = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.exec(value)
  if (match === null) return Number.NaN
  const suffix = match[2] ?? ''
  const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
  const decimal: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }
  if (suffix in binary) return Number(match[1]) * binary[suffix]
  if (suffix in decimal) return Number(match[1]) * decimal[suffix]
  return Number(`${match[1]}${suffix}`)
}

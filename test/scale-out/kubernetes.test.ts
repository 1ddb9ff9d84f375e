// Goal: the Kubernetes manifests in scale-out/kubernetes/ are valid API objects (typed model of batch/v1 Job and
// v1 PersistentVolumeClaim, strict), declare what a sweep needs (a PVC they mount, resources with requests ≤
// limits, the working directory), and shard the sweep consistently (Indexed, completions = n in --shard i/n, the
// merge reads shards 1…n). Method: parse the YAML, validate each document, cross-check the fields.
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { describe, expect, test } from 'vitest'
import { jobSchema, pvcSchema, quantityValue, type Job, type Pvc } from './kubernetes-model'

const dir = new URL('../../scale-out/kubernetes/', import.meta.url)

function documents(file: string): unknown[] {
  return parseAllDocuments(readFileSync(new URL(file, dir), 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([])
    return doc.toJS() as unknown
  })
}

function parsed(file: string): { jobs: Job[]; pvcs: Pvc[] } {
  const jobs: Job[] = []
  const pvcs: Pvc[] = []
  for (const doc of documents(file)) {
    const kind = (doc as { kind?: string }).kind
    if (kind === 'Job') jobs.push(jobSchema.parse(doc))
    else if (kind === 'PersistentVolumeClaim') pvcs.push(pvcSchema.parse(doc))
    else throw new Error(`${file}: unexpected kind ${String(kind)}`)
  }
  return { jobs, pvcs }
}

const sweep = parsed('sweep-indexed-job.yaml')
const merge = parsed('merge-job.yaml')

describe('Kubernetes manifests', () => {
  test('every document is a valid Job or PVC', () => {
    expect(sweep.jobs).toHaveLength(1)
    expect(sweep.pvcs).toHaveLength(1)
    expect(merge.jobs).toHaveLength(1)
  })

  test('the model rejects what the API server would (misspelt field, bad quantity, wrong restart policy)', () => {
    const [raw] = documents('merge-job.yaml').filter((doc) => (doc as { kind: string }).kind === 'Job') as Record<string, unknown>[]
    const spec = raw.spec as { template: { spec: Record<string, unknown> } }
    expect(jobSchema.safeParse({ ...raw, spec: { ...spec, completion: 3 } }).success).toBe(false)
    expect(jobSchema.safeParse({ ...raw, spec: { ...spec, template: { spec: { ...spec.template.spec, restartPolicy: 'Sometimes' } } } }).success).toBe(false)
    const containers = spec.template.spec.containers as Record<string, unknown>[]
    const bad = { ...containers[0], resources: { requests: { cpu: 'two' } } }
    expect(jobSchema.safeParse({ ...raw, spec: { ...spec, template: { spec: { ...spec.template.spec, containers: [bad] } } } }).success).toBe(false)
  })

  test('the sweep is an Indexed Job whose completions match the shard count and the merge', () => {
    const job = sweep.jobs[0]
    expect(job.spec.completionMode).toBe('Indexed')
    const n = job.spec.completions as number
    expect(job.spec.parallelism).toBeLessThanOrEqual(n)
    const args = (job.spec.template.spec.containers[0].args ?? []).join(' ')
    expect(args).toContain(`--shard $((JOB_COMPLETION_INDEX + 1))/${n}`)
    expect(args).toMatch(/node bin\/cutover\.js sweep scenarios\/planetlab-\d{8}\.json/)
    expect(args).toContain('--out /results/shard-$((JOB_COMPLETION_INDEX + 1)).json')
    expect((merge.jobs[0].spec.template.spec.containers[0].args ?? []).join(' ')).toContain(`seq -f /results/shard-%g.json 1 ${n}`)
  })

  test.each([['sweep'], ['merge']])('the %s Job declares working dir, resources (requests ≤ limits) and mounts the PVC', (which) => {
    const job = (which === 'sweep' ? sweep : merge).jobs[0]
    const pod = job.spec.template.spec
    const claim = sweep.pvcs[0].metadata.name
    for (const container of pod.containers) {
      expect(container.workingDir).toBe('/opt/cutover')
      const requests = container.resources?.requests ?? {}
      const limits = container.resources?.limits ?? {}
      for (const resource of ['cpu', 'memory'] as const) {
        expect(requests[resource], resource).toBeDefined()
        expect(quantityValue(requests[resource] as string)).toBeLessThanOrEqual(quantityValue(limits[resource] as string))
      }
      const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === '/results')
      expect(mount).toBeDefined()
      const volume = (pod.volumes ?? []).find((v) => v.name === mount?.name)
      expect(volume?.persistentVolumeClaim?.claimName).toBe(claim)
    }
    expect(sweep.pvcs[0].spec.accessModes).toContain('ReadWriteMany')
  })
})

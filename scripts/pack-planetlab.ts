// Packs the PlanetLab days (CloudSim's workload/planetlab/<date>/ folders) into data/planetlab/<date>.tsv.gz,
// one gzipped trace pack per day (engine/scenario/trace-pack.ts), and writes the matching presets
// scenarios/planetlab-<date>.json with CloudSim's set-up. Deterministic: same input folders → same bytes.
//   npx tsx scripts/pack-planetlab.ts [SOURCE_DIR]     (default ../shared/data/planetlab)
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { cloudsimPlanetlabScenario, compareBytes, formatScenarioJson, formatTracePack, parsePlanetlabFile } from '../engine/index'

const root = resolve(import.meta.dirname, '..')
const source = resolve(process.argv[2] ?? join(root, '../shared/data/planetlab'))
const days = readdirSync(source).filter((name) => /^\d{8}$/.test(name) && statSync(join(source, name)).isDirectory()).sort()
if (days.length === 0) throw new Error(`no YYYYMMDD folders in ${source}`)
mkdirSync(join(root, 'data/planetlab'), { recursive: true })

for (const day of days) {
  const dir = join(source, day)
  const names = readdirSync(dir).sort(compareBytes)
  const series = names.map((name) => ({ name, samplesPct: parsePlanetlabFile(readFileSync(join(dir, name), 'utf8'), join(dir, name)) }))
  const packText = formatTracePack(series, 300)
  const packFile = join(root, 'data/planetlab', `${day}.tsv.gz`)
  const gz = gzipSync(Buffer.from(packText, 'utf8'), { level: 9 })
  writeFileSync(packFile, gz)
  const scenario = cloudsimPlanetlabScenario({
    name: `planetlab-${day}`,
    description: `PlanetLab ${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)} (real CoMon traces as shipped with CloudSim 3.0.3), ${names.length} VMs on CloudSim's 800 HP ML110 G4/G5 hosts, one day`,
    traceCount: names.length, traces: { file: `../data/planetlab/${day}.tsv.gz` }
  })
  writeFileSync(join(root, 'scenarios', `planetlab-${day}.json`), formatScenarioJson(scenario))
  process.stdout.write(`${day}: ${names.length} traces, pack ${packText.length} B → ${gz.length} B gzipped\n`)
}

// Process entry of the `cutover` binary (bin/cutover.js loads this through tsx).
import { main } from './index'

process.exitCode = await main(process.argv.slice(2))

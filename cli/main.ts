// Process entry of the `cutover` binary (bin/cutover.js loads this through tsx).
import { main } from './index'
import { tolerateClosedPipes } from './support/pipes'

tolerateClosedPipes()
process.exitCode = await main(process.argv.slice(2))

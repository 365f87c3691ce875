// Measures (does not assert) exec round trip and output throughput of a session against plain `docker exec`.
// Run: node --import tsx test/sandbox/measure-exec.ts
import {execFileSync, spawn} from 'node:child_process'

import {makeEngine, makeProject, settings} from './helpers/fixtures.js'
import {testImage} from './helpers/test-image.js'

const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * p)]!
const ms = (value: number): string => `${value.toFixed(2)} ms`

function dockerExecCat(container: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('docker', ['exec', container, 'head', '-c', String(bytes), '/dev/zero'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout.resume()
    child.on('error', reject)
    child.on('close', () => resolve((performance.now() - started) / 1000))
  })
}

const engine = makeEngine()
testImage()
let started = performance.now()
const session = await engine.open(makeProject({'a.txt': 'a\n'}), settings({memory: '1g'}))
console.log(`open (create, start, runner, self-test, copy-in): ${ms(performance.now() - started)}`)
try {
  const runner: number[] = []
  for (let i = 0; i < 20; i += 1) await session.exec('true').result
  for (let i = 0; i < 300; i += 1) {
    started = performance.now()
    await session.exec('true').result
    runner.push(performance.now() - started)
  }
  const cli: number[] = []
  for (let i = 0; i < 20; i += 1) {
    started = performance.now()
    execFileSync('docker', ['exec', session.containerId, 'true'])
    cli.push(performance.now() - started)
  }
  console.log(
    `exec 'true' via runner: median ${ms(percentile(runner, 0.5))}, p90 ${ms(percentile(runner, 0.9))} (n=300)`,
  )
  console.log(`docker exec CLI 'true': median ${ms(percentile(cli, 0.5))} (n=20)`)

  const bytes = 500_000_000
  for (let round = 0; round < 2; round += 1) {
    started = performance.now()
    let received = 0
    const rssBefore = process.memoryUsage().rss
    let rssPeak = rssBefore
    for await (const event of session.exec(`head -c ${bytes} /dev/zero`)) {
      if (event.type !== 'exit') received += event.chunk.length
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    }
    const seconds = (performance.now() - started) / 1000
    const cliSeconds = await dockerExecCat(session.containerId, bytes)
    console.log(
      `500 MB: runner ${(received / seconds / 1e6).toFixed(0)} MB/s, docker exec CLI ${(bytes / cliSeconds / 1e6).toFixed(0)} MB/s ` +
        `(ratio ${(cliSeconds / seconds).toFixed(2)}), host RSS peak ${(rssPeak / 1e6).toFixed(0)} MB`,
    )
  }
} finally {
  await session.close()
}

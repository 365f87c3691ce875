// Fails when the committed oclif.manifest.json differs from the one just built, ignoring key order (oclif lists
// commands in the file system's directory order, which differs between checkouts).
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import process from 'node:process'

const canonical = (value) =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, canonical(value[key])]),
        )
      : value

const committed = execFileSync('git', ['show', 'HEAD:oclif.manifest.json'], {encoding: 'utf8'})
const built = readFileSync('oclif.manifest.json', 'utf8')
if (JSON.stringify(canonical(JSON.parse(committed))) !== JSON.stringify(canonical(JSON.parse(built)))) {
  process.stderr.write("oclif.manifest.json is stale: run 'npm run build' and commit it.\n")
  process.exit(1)
}

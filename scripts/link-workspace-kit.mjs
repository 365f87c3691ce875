// In a clone, lets the workspace plugins import `sandboxed-agent/plugin` the way an installed CLI's bundled plugins do:
// node_modules/sandboxed-agent points at the clone itself (a link made here, not a dependency cycle in package.json).
import fs from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const {name} = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const link = path.join(root, 'node_modules', name)
let current
try {
  current = fs.readlinkSync(link)
} catch {
  current = undefined
}
if (current !== '..') {
  fs.rmSync(link, {recursive: true, force: true})
  fs.mkdirSync(path.dirname(link), {recursive: true})
  fs.symlinkSync('..', link, 'dir')
  process.stdout.write(`linked node_modules/${name} -> the clone\n`)
}

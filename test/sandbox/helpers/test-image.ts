// The image sandbox tests run: $SANDBOX_AGENT_TEST_IMAGE, else one built from dev-base plus this tree's rootfs (never pulled).
import {execFileSync} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {Labels} from '../../../src/sandbox/labels.js'

export const BASE_IMAGE = 'sandbox-agent/dev-base:latest'
const ROOTFS = path.resolve(import.meta.dirname, '../../../sandbox-images/default/rootfs')

function hashTree(dir: string): string {
  const hash = crypto.createHash('sha256')
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const child = path.join(rel, name)
      const stat = fs.lstatSync(path.join(dir, child))
      hash.update(`${child}\0${stat.mode}\0`)
      if (stat.isDirectory()) walk(child)
      else if (stat.isFile()) hash.update(fs.readFileSync(path.join(dir, child)))
    }
  }
  walk('')
  return hash.digest('hex').slice(0, 12)
}

function imageExists(image: string, dockerArgs: string[] = []): boolean {
  try {
    execFileSync('docker', [...dockerArgs, 'image', 'inspect', image], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/** Builds (once per rootfs content) and returns the test image name. */
export function testImage(): string {
  const fromEnv = process.env.SANDBOX_AGENT_TEST_IMAGE
  if (fromEnv) return fromEnv
  const image = `sandbox-agent/sandbox-test:${hashTree(ROOTFS)}`
  if (imageExists(image)) return image
  if (!imageExists(BASE_IMAGE))
    throw new Error(`${BASE_IMAGE} is missing: build the base image first (tests never pull)`)
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-test-image-'))
  try {
    fs.cpSync(ROOTFS, path.join(context, 'rootfs'), {recursive: true})
    fs.writeFileSync(path.join(context, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCOPY rootfs/ /\n`)
    execFileSync('docker', ['build', '-q', '--label', `${Labels.managed}=true`, '-t', image, context], {
      stdio: 'ignore',
    })
  } finally {
    fs.rmSync(context, {recursive: true, force: true})
  }
  return image
}

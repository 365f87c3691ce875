// The image sandbox tests run: $SANDBOX_AGENT_TEST_IMAGE, else the product image plus this tree's rootfs (never pulled),
// so a changed runner is tested even before `agent sandbox build` is re-run.
import {execFileSync} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {defaultImageName} from '../../../src/sandbox/image/definition.js'
import {Labels} from '../../../src/sandbox/labels.js'

export const BASE_IMAGE = defaultImageName()
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

function imageExists(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

function buildImage(image: string, dockerfile: string, withRootfs: boolean): void {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-test-image-'))
  try {
    if (withRootfs) fs.cpSync(ROOTFS, path.join(context, 'rootfs'), {recursive: true})
    fs.writeFileSync(path.join(context, 'Dockerfile'), dockerfile)
    execFileSync('docker', ['build', '-q', '--label', `${Labels.managed}=true`, '-t', image, context], {
      stdio: 'ignore',
    })
  } finally {
    fs.rmSync(context, {recursive: true, force: true})
  }
}

function requireBaseImage(): void {
  if (!imageExists(BASE_IMAGE))
    throw new Error(`${BASE_IMAGE} is missing: run './bin/run.js sandbox build' first (tests never pull)`)
}

/** The product image with the runner removed: what a custom image without node looks like to the engine. */
export function runnerlessImage(): string {
  const image = `sandbox-agent/sandbox-test:no-runner-${BASE_IMAGE.split(':')[1] ?? 'latest'}`
  if (imageExists(image)) return image
  requireBaseImage()
  buildImage(image, `FROM ${BASE_IMAGE}\nUSER root\nRUN rm -rf /opt/sandbox-agent\nUSER agent\n`, false)
  return image
}

/** Builds (once per rootfs content) and returns the test image name. */
export function testImage(): string {
  const fromEnv = process.env.SANDBOX_AGENT_TEST_IMAGE
  if (fromEnv) return fromEnv
  const image = `sandbox-agent/sandbox-test:${hashTree(ROOTFS)}`
  if (imageExists(image)) return image
  requireBaseImage()
  buildImage(image, `FROM ${BASE_IMAGE}\nCOPY rootfs/ /\n`, true)
  return image
}

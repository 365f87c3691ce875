// Pushes an image from the Docker engine to a registry over the registry's HTTP API (the engine needs no access to it).
import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import zlib from 'node:zlib'

import type Dockerode from 'dockerode'
import tarStream from 'tar-stream'

import {AgentError, ExitCode} from '../../errors.js'
import {
  registryClient,
  registryHost,
  RegistryLoginError,
  registryManifest,
  type RegistryClient,
} from './registry-client.js'
import {registryCredentials, registryLoginHint} from './registry-credentials.js'

export const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json'
const CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json'
const LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

interface Blob {
  digest: string
  size: number
  file: string
}

/**
 * Streams `docker save` of the image, gzips each layer to a temporary file (digest computed on the way), uploads the
 * blobs the registry lacks, then the config and a schema-2 manifest under `REGISTRY/<repository>:<tag>`. Returns the
 * pushed reference. Works the same whatever the engine's own registry settings are.
 */
export async function pushImage(
  docker: Dockerode,
  image: string,
  registry: string,
  options: {signal?: AbortSignal; log?: (line: string) => void} = {},
): Promise<string> {
  const {repository, tag} = splitReference(image)
  const client = registryClient(registry, registryCredentials(registryHost(registry)))
  const reference = `${client.host}/${repository}:${tag}`
  // Already there (the manifest's config is this very image): nothing to send.
  const local = await docker.getImage(image).inspect()
  // A registry that refuses us says so before the image is read and packed.
  const pushed = await registryManifest(client, repository, tag).catch((error: unknown) => {
    if (error instanceof RegistryLoginError)
      throw new AgentError(`Could not push ${image} to ${registry}: ${error.message}`, {
        hint: registryLoginHint(client.host),
        exitCode: ExitCode.docker,
      })
    return undefined
  })
  if (pushed?.config?.digest === local.Id) {
    options.log?.(`${reference} is up to date`)
    return reference
  }
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'agent-push-'))
  try {
    const saved = (await docker.getImage(image).get()) as NodeJS.ReadableStream
    const blobs = new Map<string, Blob>()
    let manifest: {Config: string; Layers: string[]}[] | undefined
    const extract = tarStream.extract()
    extract.on('entry', (header, stream, next) => {
      const done = (error?: unknown) => (error ? extract.destroy(error as Error) : next())
      if (header.name === 'manifest.json') {
        void readAll(stream as AsyncIterable<Buffer>).then((text) => {
          manifest = JSON.parse(text) as typeof manifest
          done()
        }, done)
      } else if (header.name.endsWith('.json') && !header.name.includes('/')) {
        void readAll(stream as AsyncIterable<Buffer>).then(async (text) => {
          const file = path.join(scratch, `config-${blobs.size}`)
          await fsp.writeFile(file, text)
          blobs.set(header.name, {digest: sha256(Buffer.from(text)), size: Buffer.byteLength(text), file})
          done()
        }, done)
      } else if (header.name.endsWith('/layer.tar') && header.type === 'file') {
        const file = path.join(scratch, `layer-${blobs.size}.gz`)
        const hash = crypto.createHash('sha256')
        let size = 0
        const gzip = zlib.createGzip({level: 1})
        gzip.on('data', (chunk: Buffer) => {
          hash.update(chunk)
          size += chunk.length
        })
        pipeline(stream, gzip, fs.createWriteStream(file)).then(() => {
          blobs.set(header.name, {digest: `sha256:${hash.digest('hex')}`, size, file})
          done()
        }, done)
      } else {
        stream.on('end', () => done())
        stream.resume()
      }
    })
    await pipeline(saved, extract, ...(options.signal ? [{signal: options.signal}] : []))
    const entry = manifest?.[0]
    const config = entry ? blobs.get(entry.Config) : undefined
    if (!entry || !config) throw new Error('docker save gave no manifest')
    const layers = entry.Layers.map((name) => {
      const blob = blobs.get(name)
      if (!blob) throw new Error(`docker save gave no ${name}`)
      return blob
    })
    for (const blob of [...layers, config]) await uploadBlob(client, repository, blob)
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_V2,
      config: {mediaType: CONFIG_TYPE, size: config.size, digest: config.digest},
      layers: layers.map((layer) => ({mediaType: LAYER_GZIP, size: layer.size, digest: layer.digest})),
    })
    await client.request('PUT', `/v2/${repository}/manifests/${tag}`, {
      headers: {'content-type': MANIFEST_V2},
      body: Buffer.from(body),
      expect: [201],
    })
    options.log?.(`Pushed ${image} to ${reference} (${layers.length} layers)`)
    return reference
  } catch (error) {
    if (error instanceof AgentError) throw error
    throw new AgentError(`Could not push ${image} to ${registry}: ${(error as Error).message}`, {
      hint:
        error instanceof RegistryLoginError
          ? registryLoginHint(client.host)
          : 'Check that the registry is reachable from here (REGISTRY is host:port, http:// for a plain-HTTP one)',
      exitCode: ExitCode.docker,
      cause: error,
    })
  } finally {
    await fsp.rm(scratch, {recursive: true, force: true})
  }
}

async function uploadBlob(client: RegistryClient, repository: string, blob: Blob): Promise<void> {
  const head = await client.request('HEAD', `/v2/${repository}/blobs/${blob.digest}`, {expect: [200, 404]})
  if (head.status === 200) return
  const started = await client.request('POST', `/v2/${repository}/blobs/uploads/`, {expect: [202]})
  const location = started.headers.location
  if (!location) throw new Error('the registry gave no upload location')
  const url = new URL(location, client.base)
  url.searchParams.set('digest', blob.digest)
  await client.request('PUT', url.pathname + url.search, {
    headers: {'content-type': 'application/octet-stream', 'content-length': String(blob.size)},
    body: fs.createReadStream(blob.file),
    expect: [201],
  })
}

/** `name[:tag]` (no registry part) to repository and tag. */
export function splitReference(image: string): {repository: string; tag: string} {
  const at = image.lastIndexOf(':')
  const slash = image.lastIndexOf('/')
  if (at > slash) return {repository: image.slice(0, at), tag: image.slice(at + 1)}
  return {repository: image, tag: 'latest'}
}

function sha256(data: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}

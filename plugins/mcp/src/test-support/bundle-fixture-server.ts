// Bundles the fixture MCP server (with the SDK) into one file that runs on the sandbox image's Node 18.
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'

/** The fixture's source: test/fixtures/mcp-servers/stdio-server.ts in the repository. */
const SOURCE = fileURLToPath(new URL('../../../../test/fixtures/mcp-servers/stdio-server.ts', import.meta.url))

/** Writes the bundle to `outfile` (an .mjs file to copy into a test project). */
export async function bundleFixtureServer(outfile: string): Promise<void> {
  await build({
    entryPoints: [SOURCE],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    logLevel: 'silent',
    // Some dependencies are CommonJS and call require(): give the ES module bundle one.
    banner: {
      js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  })
}

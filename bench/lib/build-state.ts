// Whether the built CLI (dist/) is older than the sources it comes from, so a figure never silently measures old code.
import {readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {REPO_ROOT} from './report.js'

function newestMtime(dir: string, suffix: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, suffix))
    else if (entry.name.endsWith(suffix) && !entry.name.endsWith(`.test${suffix}`))
      newest = Math.max(newest, statSync(full).mtimeMs)
  }
  return newest
}

/** A note to print when dist/ is missing or older than src/ (undefined when it is current). */
export function staleBuildNote(): string | undefined {
  let built: number
  try {
    built = newestMtime(path.join(REPO_ROOT, 'dist'), '.js')
  } catch {
    return 'dist/ is missing: run `npm run build` first.'
  }
  const source = newestMtime(path.join(REPO_ROOT, 'src'), '.ts')
  if (source > built) {
    const minutes = Math.round((source - built) / 60_000)
    return `Warning: dist/ is older than src/ (by ${minutes} min): these figures measure the last build, not the newest sources.`
  }
  return undefined
}

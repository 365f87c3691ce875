// Opens a URL in the user's browser when one can be launched (a desktop session, not CI); never waits for it.
import {spawn} from 'node:child_process'

export type BrowserOpener = (url: string) => Promise<boolean>

/** Whether launching a browser makes sense here: not in CI, not over plain SSH, a display on Linux. */
export function canLaunchBrowser(
  env: Record<string, string | undefined> = process.env,
  platform = process.platform,
): boolean {
  if (env.CI && env.CI !== 'false') return false
  if (env.SSH_CONNECTION && !env.DISPLAY) return false
  if (platform === 'linux' || platform === 'freebsd') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  return platform === 'darwin' || platform === 'win32'
}

export const openInBrowser: BrowserOpener = (url) =>
  new Promise((resolve) => {
    if (!/^https?:\/\//i.test(url)) return resolve(false)
    const [command, args] =
      process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
          : ['xdg-open', [url]]
    try {
      const child = spawn(command, args, {stdio: 'ignore', detached: true})
      child.once('error', () => resolve(false))
      child.once('spawn', () => {
        child.unref()
        resolve(true)
      })
    } catch {
      resolve(false)
    }
  })

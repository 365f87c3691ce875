// Progress events an image build emits (phases for people, raw tool output for --verbose), and a no-op listener.
export type BuildPhase = 'check' | 'choose' | 'pull' | 'build' | 'debootstrap' | 'packages' | 'user' | 'import' | 'done'

export type BuildProgress =
  /** A new step started; `message` is one short line. */
  | {type: 'phase'; phase: BuildPhase; message: string}
  /** One line of output from debootstrap, apt or the Docker build. */
  | {type: 'log'; line: string}

export type ProgressListener = (event: BuildProgress) => void

export const ignoreProgress: ProgressListener = () => {}

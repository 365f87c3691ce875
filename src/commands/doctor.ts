// `agent doctor`: checks Node, the Docker daemon, the sandbox image and authentication; one line each, non-zero exit on failure.
import {Flags} from '@oclif/core'

import os from 'node:os'

import {BaseCommand} from '../cli/base-command.js'
import {loadConfig} from '../config/index.js'
import {authStatus} from '../auth/auth-status.js'
import {registryAuthStatus, renderDoctorReport, runDoctor} from '../doctor/index.js'
import {loadAuthContext} from '../plugins/auth-command-support.js'
import {defaultImageName} from '../sandbox/image/index.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check that everything the agent needs is in place'
  static override description = [
    'Checks the Node.js version, that a Docker daemon answers (and which one: DOCKER_HOST, the active docker context or the local socket), that the sandbox image is built and current, that model credentials are configured, and shows the sandbox network policy in force for the current project.',
    'Prints one line per check with a fix when something is wrong, and exits with 1 when any check fails.',
  ].join('\n\n')

  static override examples = [
    {description: 'Check this machine', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Check a remote daemon',
      command: 'DOCKER_HOST=ssh://me@build-box <%= config.bin %> <%= command.id %>',
    },
    {description: 'Machine-readable result', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    json: Flags.boolean({description: 'Print the checks as JSON on stdout.', default: false}),
    image: Flags.string({description: 'Sandbox image to check.', default: defaultImageName(), noCacheDefault: true}),
  }

  async run(): Promise<void> {
    const report = await runDoctor({
      env: process.env,
      imageName: this.flags.image,
      authStatus: registryAuthStatus(async () => {
        const {config, registry} = await loadAuthContext(this.config)
        return authStatus(config, registry)
      }),
      networkPolicy: async () => {
        const config = loadConfig({cwd: process.cwd(), home: os.homedir(), env: process.env})
        const {settingsFiles, allowedHostsFile} = config.sources
        return {
          setting: config.sandbox.network,
          settingsFiles: allowedHostsFile ? [...settingsFiles, allowedHostsFile] : settingsFiles,
        }
      },
    })
    this.logger.info({report}, 'doctor')
    process.stdout.write(this.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorReport(report))
    if (!report.ok) this.exit(1)
  }
}

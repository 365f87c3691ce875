// The question put to the user when the sandbox's proxy refused a host the allow list lacks (see network-questions.ts).
import {addProjectAllowedHost} from '../config/project-allowed-hosts.js'
import {showControls} from '../output/terminal-text.js'
import type {ChatContext} from './chat-context.js'
import type {HostAnswer, NetworkQuestions} from './network-questions.js'

export function hostQuestions(context: Pick<ChatContext, 'options' | 'screen' | 'prompts'>): NetworkQuestions {
  const {options, screen, prompts} = context
  return {
    ask: (entry, destination, signal) =>
      prompts.choose<HostAnswer>(
        // The name came from a program in the sandbox: shown as it is, escape sequences made visible.
        `A command in the sandbox asked for ${showControls(`${destination.host}:${destination.port}`)}, which sandbox.network.allow does not list. Allow ${showControls(entry)}?`,
        [
          {key: 's', label: 'Yes, for this session', value: 'session'},
          {key: 'p', label: 'Yes, always for this project (saved in your home, not in the project)', value: 'project'},
          {key: 'n', label: 'No', value: 'refuse'},
        ],
        {...(signal ? {signal} : {}), escapeValue: 'refuse', interruptValue: 'refuse'},
      ),
    remember: (entry) => addProjectAllowedHost(options.config.home, options.config.projectRoot, entry),
    // The line names the host too: its escape sequences made visible here as well.
    note: (line) => screen.note(screen.style.dim(`  ${showControls(line)}`)),
  }
}

// Choosing how to reach a model: the provider the settings select at start, /auth to pick another or log in again.
import type {AuthProvider} from '../auth/index.js'
import type {ChatOptions} from './chat-options.js'
import type {ChatPrompts} from './chat-prompts.js'
import type {ChatScreen} from './chat-screen.js'
import type {ChatState} from './chat-state.js'
import {errorMessage, isAbort} from './chat-errors.js'

export class ChatAuth {
  constructor(
    private readonly options: ChatOptions,
    private readonly state: ChatState,
    private readonly screen: ChatScreen,
    private readonly prompts: ChatPrompts,
  ) {}

  /** At start: the provider the settings select, or the choice when none is set up. */
  async chooseInitial(): Promise<void> {
    const {auth, config} = this.options
    const {style} = this.screen
    try {
      const selection = await auth.select(config, {interactive: true})
      if (!selection) {
        this.screen.note(style.yellow('No authentication is set up yet. Choose how to reach a model:'))
        await this.choose('')
        return
      }
      await this.use(selection.provider, !selection.configured)
    } catch (error) {
      if (isAbort(error)) return
      this.screen.note(style.red(`Error: ${errorMessage(error)}`))
      this.screen.note('Use /auth to choose an authentication method.')
    }
  }

  /** `/auth [provider]`: the named provider, or a choice among all of them; then use it (logging in if needed). */
  async choose(args: string): Promise<void> {
    const {auth, config} = this.options
    const providers = auth.list().map(({provider}) => provider)
    let provider: AuthProvider | undefined
    if (args !== '') {
      provider = auth.get(args)
      if (!provider) {
        this.screen.note(
          this.screen.style.yellow(
            `Unknown authentication method "${args}". Choose one of: ${providers.map((p) => p.id).join(', ')}`,
          ),
        )
        return
      }
    } else {
      const configured = await Promise.all(providers.map(async (p) => Boolean(await p.isConfigured(config))))
      provider = await this.prompts.choose<AuthProvider | undefined>(
        'Authentication method:',
        providers.map((p, i) => ({
          key: String(i + 1),
          // The state comes before the description, which a narrow terminal cuts off.
          label: `${p.id}${p.id === this.state.providerId ? ' (in use)' : configured[i] ? '' : ' (not set up)'}: ${p.describe()}`,
          value: p,
        })),
        {escapeValue: undefined, interruptValue: undefined},
      )
      if (!provider) return
    }
    let login = !(await provider.isConfigured(config))
    if (!login && provider.login) {
      login = await this.prompts.choose(
        `${provider.id} is set up.`,
        [
          {key: 'u', label: 'Use it', value: false},
          {key: 'l', label: 'Log in again', value: true},
        ],
        {escapeValue: false, interruptValue: false},
      )
    }
    await this.use(provider, login)
  }

  private async use(provider: AuthProvider, login: boolean): Promise<void> {
    const {config} = this.options
    const {state, screen} = this
    if (login) {
      if (!provider.login) {
        screen.note(
          screen.style.yellow(
            `${provider.id} is not set up: set OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL) in the environment or .qwen/.env, then /auth again.`,
          ),
        )
        return
      }
      const controller = new AbortController()
      state.turn = controller
      state.activity = `Logging in with ${provider.id}… ${screen.style.dim('· ctrl-c cancel')}`
      screen.scheduleRender()
      try {
        await provider.login({info: (line) => screen.note(line), interactive: true, signal: controller.signal}, config)
      } finally {
        state.turn = undefined
        state.activity = ''
      }
    }
    const client = await provider.client(config)
    state.baseModel = client
    state.providerId = provider.id
    screen.note(screen.style.dim(`Using ${provider.id} · model ${state.modelName ?? client.model}`))
  }
}

// A registry holding the built-in provider first, then whatever plugins contributed, in their order.
import type {AuthProvider} from './auth-provider.js'
import {AuthRegistry} from './auth-registry.js'
import {openAICompatibleProvider} from './openai-compatible-provider.js'

export function createAuthRegistry(
  contributed: readonly {provider: AuthProvider; source: string}[] = [],
): AuthRegistry {
  const registry = new AuthRegistry().register(openAICompatibleProvider, 'core')
  for (const {provider, source} of contributed) registry.register(provider, source)
  return registry
}

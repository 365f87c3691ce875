// defineAuthProvider: checks a provider's static data where the plugin defines it and returns it unchanged in type.
import type {AuthProvider} from './auth-provider.js'
import {authProviderProblem} from './validate-auth-provider.js'

export function defineAuthProvider<P extends AuthProvider>(provider: P): P {
  const problem = authProviderProblem(provider)
  if (problem) throw new TypeError(`defineAuthProvider(${JSON.stringify(provider?.id)}): ${problem}`)
  return provider
}

// The plugin's agent:auth hook: contributes the qwen-oauth provider, with credentials under the home the host gives.
import type {AuthHook} from 'sandboxed-agent/plugin'

import {createQwenOAuthProvider} from '../qwen-oauth-provider.js'

const hook: AuthHook = async ({home}) => [createQwenOAuthProvider({home})]

export default hook

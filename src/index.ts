// Public library surface of sandbox-agent (the CLI lives in src/commands; plugins use sandbox-agent/plugin).
export * from './errors.js'
export type * from './sandbox/types.js'
export type * from './tools/types.js'
export type * from './agent/events.js'
export type * from './agent/model-client.js'

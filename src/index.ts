// Public library surface of sandbox-agent (the CLI lives in src/commands; plugins use sandboxed-agent/plugin).
// What is here is what scripts and embedders need: the run loop, its seams, and the stream-json schema to read output.
export * from './errors.js'
export type * from './sandbox/types.js'
export type * from './tools/types.js'
export type * from './agent/events.js'
export type * from './agent/model-client.js'
export {runAgent, type AgentRun, type RunAgentOptions} from './agent/run-agent.js'
export {
  APPROVAL_MODES,
  createApprovals,
  type ApprovalMode,
  type ApprovalPrompter,
  type Approvals,
} from './agent/approvals.js'
export {ToolRegistry} from './tools/registry.js'
export {loadConfig, type AgentConfig} from './config/load-config.js'
export {DockerSandboxEngine} from './sandbox/docker-engine.js'
export {createSandboxEngine} from './sandbox/create-engine.js'
export * from './output/stream-json-schema.js'

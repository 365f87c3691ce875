// The settings that keep a long conversation going (Qwen Code's keys): the context window and compression threshold,
// model.sessionTokenLimit, and loop detection, as the agent loop takes them.
import {ContextBudget, contextWindowFor} from '../agent/compression/index.js'
import type {AgentConfig} from '../config/index.js'
import type {Logger} from '../logging/logger.js'

export interface ContextLimits {
  contextBudget: ContextBudget
  loopDetection: boolean
}

/** For one conversation (chat keeps the same budget across its messages): `model` is the model's name in use. */
export function contextLimits(config: AgentConfig, model: string, logger?: Logger): ContextLimits {
  const settings = config.settings.model
  return {
    contextBudget: new ContextBudget({
      windowTokens: contextWindowFor(model, settings.contextWindowSize),
      ...(settings.chatCompression?.contextPercentageThreshold !== undefined
        ? {threshold: settings.chatCompression.contextPercentageThreshold}
        : {}),
      sessionTokenLimit: settings.sessionTokenLimit,
      ...(logger ? {logger} : {}),
    }),
    loopDetection: settings.skipLoopDetection !== true,
  }
}

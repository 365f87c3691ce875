// Long sessions: the context window of a model, token estimates, and compressing the history to stay inside it.
export {contextWindowFor, DEFAULT_CONTEXT_WINDOW} from './context-windows.js'
export {
  ContextBudget,
  DEFAULT_COMPRESSION_THRESHOLD,
  type CompressionOutcome,
  type CompressionTrigger,
  type ContextBudgetOptions,
} from './context-budget.js'
export {createTokenEstimator, type TokenEstimator} from './token-estimate.js'

// A model client whose model name a client can change between turns (SDK set_model), same provider and credentials.
import type {ModelClient, ModelDelta, ModelRequest} from '../agent/model-client.js'

export interface SwitchableModel extends ModelClient {
  setModel(name: string): void
}

export function switchableModel(inner: ModelClient): SwitchableModel {
  let name = inner.model
  return {
    get model() {
      return name
    },
    setModel(next: string) {
      name = next
    },
    stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelDelta> {
      return inner.stream({...request, model: name}, signal)
    },
  }
}

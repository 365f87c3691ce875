// What ls/prune need: listing this tool's Docker objects, the owner check, and the prune plan.
export {
  listManaged,
  type Inventory,
  type ManagedContainer,
  type ManagedImage,
  type ManagedNetwork,
  type ManagedVolume,
} from './list-managed.js'
export {listLocalInventory, type LocalInventory} from './local-inventory.js'
export {localOwnerProbe, ownerStatus, isProcessAlive, type OwnerStatus, type OwnerProbe} from './owner-status.js'
export {
  planPrune,
  executePrune,
  shortId,
  type PrunePlan,
  type PruneReport,
  type PruneOptions,
  type PruneKind,
} from './prune.js'

// The packed-filter cache now lives in core (shared with @facerec/web); re-exported here for node's kernel tests.
export { PackedWeightCache, PACKED_WEIGHT_BUDGET, type PackedWeightHost } from '@facerec/core/internal';

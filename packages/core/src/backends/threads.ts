// How many threads facerec asks a WASM backend for at most, in Node and in the browser alike.

/**
 * The most threads a WASM backend gets: beyond about 8, tfjs's WASM kernels (XNNPACK) and facerec's spend more on
 * synchronisation than they gain for the small convolutions of face networks.
 */
export const MAX_THREADS = 8;

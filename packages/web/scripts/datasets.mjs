// The real faces the browser tests and the demo's end-to-end test use: committed in the repository, never ../shared.
import { fileURLToPath } from 'node:url';

/** The complete AT&T (ORL) faces: s1..s40, 10 PGMs each (examples/data/orl). */
export const ORL_DIR = fileURLToPath(new URL('../../../examples/data/orl', import.meta.url)).replace(/\/$/, '');

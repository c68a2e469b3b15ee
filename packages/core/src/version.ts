// The package version, written into saved models.
import { version } from '../package.json';

/** Version of @facerec/core. */
export const VERSION: string = version;

// Types of datasets.mjs.
export declare const ORL_DIR: string;

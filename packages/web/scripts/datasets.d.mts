// Types of datasets.mjs.
export declare function orlCandidates(): string[];
export declare function findOrl(): string | undefined;

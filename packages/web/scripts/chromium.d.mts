// Types of chromium.mjs for the TypeScript test configs.
export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: string[];
export declare const ISOLATION_HEADERS: Record<string, string>;
export declare function requireChromium(): string;
export declare function chromiumLaunchOptions(extraArgs?: string[]): { executablePath: string; headless: boolean; args: string[] };

/** Types of workerEntries.mjs, for the test that checks it. */
export declare function workerEntries(srcDir?: string): Promise<Record<string, string>>;

/**
 * dvc's CheckoutError message, which `data pull` (and `data checkout`, as dvc's `checkout`) end with when an
 * out could not be restored: the outs one a line, the question, and dvc's link to its page on missing files,
 * kept so that output read or matched beside dvc's is the same.
 */
export const MISSING_FILES_LINK = "<https://error.dvc.org/missing-files>";

/** "Checkout failed for following targets:\n<path>...\nIs your cache up to date?\n<link>", no newline after. */
export function checkoutFailedMessage(targets: readonly string[]): string {
  return `Checkout failed for following targets:\n${targets.join("\n")}\nIs your cache up to date?\n${MISSING_FILES_LINK}`;
}

/**
 * dvc's FileTransferError: "2 files failed to download", and "1 files" too, since dvc words every count in
 * the plural.
 */
export function filesFailedMessage(count: number, method: "upload" | "download"): string {
  return `${count} files failed to ${method}`;
}

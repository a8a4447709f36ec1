/**
 * Python's `shlex.quote`, which dvc uses wherever it prints a command or a path for a shell: a word of only
 * safe characters is left bare, anything else goes in single quotes. Output that matches dvc's byte for byte
 * can be pasted into the same shell.
 */
export function shellQuote(word: string): string {
  if (word !== "" && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

// Deprecation notes of the lab loader: each one said once per file and process, on stderr (a test may
// catch them with setDeprecationSink). A note never stops a lab from loading.
const said = new Set<string>();
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/** Say `message` about `file`, unless this process said it already. */
export function noteDeprecated(file: string, message: string): void {
  const key = `${file}\0${message}`;
  if (said.has(key)) return;
  said.add(key);
  sink(`${file}: deprecated: ${message}`);
}

/** For tests: where notes go (and forget which were said). Returns the previous sink. */
export function setDeprecationSink(next: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = next;
  said.clear();
  return prev;
}

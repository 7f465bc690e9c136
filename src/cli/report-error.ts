// The CLI's one mapping from errors to what a person reads and the exit code: a UserError prints its
// message and, when the message does not already say it, its fix; a UsageError (src/config/args.ts) also the
// command's usage; usage errors exit 2, an interrupt 130, anything else 1. Unexpected errors print their message (and the stack with SIDECAR_LABS_DEBUG).
import { isUserError, type ErrorKind } from '../errors.ts';
import { UsageError } from '../config/args.ts';

const EXIT: Partial<Record<ErrorKind, number>> = { usage: 2, interrupted: 130 };

/** Does the message already give the fix (its first `command`, or the fix itself)? */
function mentions(message: string, fix: string): boolean {
  const command = /`([^`]+)`/.exec(fix)?.[1];
  return message.includes(command ?? fix);
}

/** Writes the error for `sidecar-labs <command>` and returns the exit code. */
export function reportError(
  command: string,
  err: unknown,
  write: (s: string) => void = (s) => process.stderr.write(s),
): number {
  const prefix = `sidecar-labs ${command}: `;
  if (isUserError(err)) {
    write(`${prefix}${err.message}\n`);
    if (err.fix && !mentions(err.message, err.fix)) write(`  next: ${err.fix}\n`);
    if (err instanceof UsageError) write(`\n${err.usage}`);
    return EXIT[err.kind] ?? 1;
  }
  write(`${prefix}${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.SIDECAR_LABS_DEBUG && err instanceof Error) write(`${err.stack}\n`);
  return 1;
}

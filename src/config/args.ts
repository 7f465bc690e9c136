// The one argument parser of every command (src/cli, scripts/start.ts, the server's main.ts): node:util's parseArgs (strict), plus what each command
// needs alike. `--help`/`-h` prints the command's usage to stdout (exit 0); an unknown flag, a missing
// value or a stray argument is a UsageError, which src/cli/report-error.ts prints with the usage
// (exit 2) — a usage error, never mistaken for a runtime failure (exit 1).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';

/** Bad command-line input: what was wrong, and the usage of the command it was given to. */
export class UsageError extends UserError {
  readonly usage: string;
  constructor(message: string, usage: string) {
    super('usage', message);
    this.usage = usage;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };

export interface CommandSpec<O extends Options> {
  /** The usage text, first line `usage: sidecar-labs …`; printed for --help and after a usage error. */
  usage: string;
  options: O;
  /** Positional arguments allowed (validate's slugs); none by default. */
  positionals?: boolean;
}

/** Node's parse errors say "Unknown option '--x'. To specify a positional argument starting with a '-', …": keep the first sentence. */
function firstSentence(message: string): string {
  const first = message.split(/\. (?=[A-Z])/)[0]!.replace(/\.$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * Parses `args` for one command. Returns `undefined` after printing the usage for --help (the caller
 * returns 0); throws a UsageError otherwise on bad input.
 */
export function parseCommand<O extends Options>(
  spec: CommandSpec<O>,
  args: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
) {
  const options: WithHelp<O> = { ...spec.options, help: { type: 'boolean', short: 'h' } };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    if (!spec.positionals && parsed.positionals.length)
      throw new Error(`Unexpected argument '${parsed.positionals[0]}'`);
  } catch (err) {
    if (args.includes('--help') || args.includes('-h')) {
      write(spec.usage);
      return undefined;
    }
    throw new UsageError(firstSentence(err instanceof Error ? err.message : String(err)), spec.usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    write(spec.usage);
    return undefined;
  }
  return parsed;
}

/** A whole number from a flag's value, or a UsageError naming the flag and the range expected. */
export function wholeNumber(flag: string, value: string, min: number, max: number, usage: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${value}"`, usage);
  return n;
}

/** One of a fixed set of words, or a UsageError naming the flag and the choices. */
export function oneOf<T extends string>(flag: string, value: string, choices: readonly T[], usage: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} expects ${choices.map((c) => `"${c}"`).join(' or ')}, got "${value}"`, usage);
}

// sidecar-labs: a thin dispatcher; each command lives in its own module with
// `run(args: string[]): Promise<number>` returning the exit code.
import { reportError } from './report-error.ts';

const usage = `Usage: sidecar-labs <command> [options]

Commands:
  cluster up|down|status [--offline] [--registry-mirror URL] [--node-image IMAGE]   create, delete or inspect the kind cluster for the labs
  validate [slug...] [--junit FILE] [--parallel N] [--keep] [--cluster kind|current]
                                       run every lab's checks before and after its solution
  list                                 the labs with their lessons and images
  doctor [--cluster kind|current] [--json]
                                       can every lab run here? ✔/✘ per check, with the fix
  workshop [--code CODE] [--reserve N] [--max-sessions N] [--host ADDR] [--port N] [--cluster kind|current]
                                       serve the course to a room: prints the learner URL, the event
                                       code and the instructor page
  kit push --registry URL              fill a registry mirror with the node image and every lab image
`;

const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  cluster: () => import('./cluster.ts'),
  validate: () => import('./validate.ts'),
  list: () => import('./list.ts'),
  doctor: () => import('./doctor.ts'),
  workshop: () => import('./workshop.ts'),
  kit: () => import('./kit.ts'),
};

// `sidecar-labs list | head` closes our stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const [command, ...rest] = process.argv.slice(2);
if (!command || command === '--help' || command === '-h' || command === 'help') {
  (command ? process.stdout : process.stderr).write(usage);
  process.exit(command ? 0 : 2);
}
const load = commands[command];
if (!load) {
  process.stderr.write(`sidecar-labs: unknown command "${command}"\n\n${usage}`);
  process.exit(2);
}
try {
  process.exitCode = await (await load()).run(rest);
} catch (err) {
  process.exitCode = reportError(command, err);
}

export {};

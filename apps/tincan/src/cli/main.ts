import { Command, Option } from 'commander';
import { oneLine } from '@tincan/libc-core';
import { specFromFlags, type RunFlags } from './options';
import { exitCodeOf, runContainer } from './run';
import { imageCommands } from './images';

// repeatable options: no default, so that help does not print "(default: [])"
const collect = (v: string, prev: string[] = []) => [...prev, v];

declare const TINCAN_VERSION: string;

function runCommand(): Command {
  return new Command('run')
    .description('run a command in a new container')
    .argument('<rootfs>', 'a rootfs directory, a rootfs tarball (.tar, .tar.gz, .tar.zst) or an image reference')
    .argument('[command...]', 'the command and its arguments (default: the image\'s Entrypoint + Cmd)')
    .passThroughOptions()
    .option('-v, --volume <host:ctr[:ro]>', 'bind-mount a host path (repeatable)', collect)
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable; KEY alone passes the host value)', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <uid[:gid]|name>', 'user to run as')
    .option('--hostname <name>', 'container hostname (generated when absent)')
    .option('--entrypoint <cmd>', 'replace the image\'s Entrypoint')
    .option('--memory <bytes>', 'memory limit, e.g. 512m (cgroup memory.max)')
    .option('--memory-swap <bytes>', 'memory + swap limit; -1 for unlimited swap')
    .option('--cpus <n>', 'CPU limit, e.g. 1.5 (cgroup cpu.max)')
    .option('--cpu-weight <1-10000>', 'relative CPU weight (cgroup cpu.weight)')
    .option('--pids-limit <n>', 'maximum number of processes (cgroup pids.max)')
    .option('--io-weight <1-10000>', 'relative IO weight (cgroup io.weight)')
    .option('--ulimit <name=soft[:hard]>', 'resource limit, e.g. nofile=1024:4096 (repeatable)', collect)
    .option('--cap-add <cap>', 'add a capability (repeatable; ALL for all)', collect)
    .option('--cap-drop <cap>', 'drop a capability (repeatable; ALL for all)', collect)
    .option('--security-opt <opt>', 'seccomp=default|contained|unconfined|PROFILE.json, no-new-privileges[=false]', collect)
    .addOption(new Option('--net <mode>', 'network').choices(['none', 'host']).default('none'))
    .option('--userns <mode>', 'user namespace: host, auto, or CONTAINER:HOST:SIZE[,...]', 'host')
    .addOption(new Option('--cgroups <mode>', 'a cgroup v2 per container; off runs without limits').choices(['on', 'off']).default('on'))
    .option('-i, --interactive', 'keep stdin open (without it, stdin is /dev/null)')
    .option('--read-only', 'mount the root filesystem read-only')
    .option('--tmpfs <dir[:opts]>', 'mount a tmpfs; opts: size=, mode=, uid=, gid=, nr_inodes=, ro, exec, suid (repeatable)', collect)
    .option('--no-pivot', 'move the root with MS_MOVE + chroot instead of pivot_root (for a host root that is not a mount)')
    .option('--data-dir <dir>', 'where images and layers are stored', process.env.TINCAN_DATA_DIR)
    .option('--insecure-registry <host[:port]>', 'allow plain http for this registry when pulling (repeatable)', collect)
    .option('-q, --quiet', 'no pull progress output')
    .option('--trace', 'print every isolation step, its syscalls, result and time')
    .action(async (rootfs: string, command: string[], flags: RunFlags & { trace?: boolean; quiet?: boolean; interactive?: boolean; insecureRegistry?: string[] }) => {
      process.exitCode = await runContainer(specFromFlags(rootfs, command, flags), {
        trace: flags.trace ?? false,
        quiet: flags.quiet ?? false,
        interactive: flags.interactive ?? false,
        insecureRegistries: flags.insecureRegistry ?? [],
      });
    });
}

export async function main(argv: string[]): Promise<void> {
  // a closed stdout/stderr pipe (tincan ... | head) must not kill tincan before it cleans up
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const program = new Command('tincan')
    .description('tincan — a Linux container runtime for Node.js')
    .version(TINCAN_VERSION)
    .enablePositionalOptions()
    .showHelpAfterError('(tincan --help for usage)')
    .configureOutput({ outputError: (s, write) => write(`tincan: ${s.replace(/^error: /, '')}`) })
    .exitOverride();
  for (const c of [runCommand(), ...imageCommands()]) {
    // subcommands added with addCommand do not inherit these settings
    program.addCommand(c.exitOverride().showHelpAfterError('(tincan COMMAND --help for usage)').configureOutput(program.configureOutput()));
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as Error & { exitCode?: number; code?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 125;
      return;
    }
    process.stderr.write(`tincan: ${describeFailure(e)}\n`);
    process.exitCode = exitCodeOf(e);
  }
}

/** What only a bug throws: a JavaScript built-in's error (by name: Node's internals may come from another realm). */
const BUILTIN_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError']);

/**
 * The last word on a failure, on one line of bounded length: a typed error's own message (every input
 * error is one), or, for a bug, "internal error" and how to report it instead of the JavaScript text.
 */
function describeFailure(e: unknown): string {
  const name = (e as { name?: unknown } | null)?.name;
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof name === 'string' && !BUILTIN_ERRORS.has(name) && typeof message === 'string') return oneLine(message);
  if (process.env.TINCAN_DEBUG) process.stderr.write(`${(e as { stack?: unknown } | null)?.stack ?? String(e)}\n`);
  const kind = typeof name === 'string' ? name : typeof e;
  const report = 'please report it with the command that failed and the output of the same command run with TINCAN_DEBUG=1';
  return `internal error (${oneLine(kind)}): this is a bug in tincan; ${report}`;
}

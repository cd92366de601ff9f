/**
 * The `nanoprobe` command: flags → configuration (with UNIMATRIX_NANOPROBE_* and the YAML file) →
 * startNanoprobe → a graceful stop on SIGTERM/SIGINT. Used by the `unimatrix` CLI
 * (cli/commands/nanoprobe-command.ts) and by the standalone entry nanoprobe/main.ts, which loads
 * nothing of the CMA (a smaller process on every host).
 */
import { Command, Option } from 'commander';
import { loadNanoprobeConfig } from './config-loader';
import { NanoprobeConfigError } from './config';
import { createNanoprobeLogger, LOG_LEVELS } from './logger';
import { startNanoprobe } from './start';

/** A graceful stop (LEAVE, wait for the CMA, close) must end within 2 s; past this the process just exits. */
const EXIT_DEADLINE_MS = 1_900;

type Flags = {
  config?: string;
  stateDir?: string;
  hostname?: string;
  address?: string[];
  bind?: string;
  port?: number;
  cma?: string;
  cmaPubkeyFile?: string;
  multicastGroup?: string;
  multicastPort?: number;
  multicastIf?: string;
  multicastTtl?: number;
  discoveryDir?: string[];
  logLevel?: string;
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new Error(`not an integer: ${value}`);
  return n;
}

/** The command, named `name` (as a subcommand of `unimatrix`, or as a program of its own). */
export function nanoprobeCommand(name = 'nanoprobe'): Command {
  return new Command(name)
    .description('run the per-host agent: announce to the CMA, heartbeat ring partners, run discovery scripts')
    .option('-c, --config <file>', 'YAML configuration file (default: $UNIMATRIX_NANOPROBE_CONFIG)')
    .option('--state-dir <dir>', 'directory for the key file (created 0700)')
    .option('--hostname <name>', 'host name to announce (default: the system host name)')
    .option('--address <ip/prefix>', 'address to announce, repeatable (default: the interface addresses)', collect)
    .option('--bind <ip>', 'address of the UDP socket (default 0.0.0.0)')
    .option('--port <port>', 'UDP port (default: any free port; it is announced)', integer)
    .option('--cma <ip:port>', "the CMA's unicast address (default: announce by multicast)")
    .option('--cma-pubkey-file <file>', "the CMA's public key (else $UNIMATRIX_CMA_PUBKEY, else trust on first use)")
    .option('--multicast-group <ip>', 'bootstrap multicast group (default 224.0.2.5)')
    .option('--multicast-port <port>', 'bootstrap port (default 1984)', integer)
    .option('--multicast-if <ip>', 'IPv4 address of the interface to announce on')
    .option('--multicast-ttl <n>', 'multicast TTL (default 1: the local link)', integer)
    .option('--discovery-dir <dir>', 'extra discovery script directory, repeatable (searched first)', collect)
    .addOption(new Option('--log-level <level>', 'log level (default info)').choices(LOG_LEVELS))
    .action(async (flags: Flags) => {
      let loaded;
      try {
        loaded = loadNanoprobeConfig({
          ...(flags.config === undefined ? {} : { file: flags.config }),
          flags: {
            stateDir: flags.stateDir,
            hostname: flags.hostname,
            addresses: flags.address,
            'bind.host': flags.bind,
            'bind.port': flags.port,
            cma: flags.cma,
            cmaPubkeyFile: flags.cmaPubkeyFile,
            'multicast.group': flags.multicastGroup,
            'multicast.port': flags.multicastPort,
            'multicast.interface': flags.multicastIf,
            'multicast.ttl': flags.multicastTtl,
            'discovery.dirs': flags.discoveryDir,
            'log.level': flags.logLevel,
          },
        });
      } catch (err) {
        if (err instanceof NanoprobeConfigError) {
          process.stderr.write(`${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      const log = createNanoprobeLogger(loaded.config.log.level);
      for (const warning of loaded.warnings) log.warn(warning);
      const nanoprobe = await startNanoprobe({ config: loaded.config, logger: log });

      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) process.exit(130); // a second signal: no more waiting
        stopping = true;
        log.info({ signal }, 'stopping');
        setTimeout(() => {
          log.warn('graceful stop took too long; exiting');
          process.exit(0);
        }, EXIT_DEADLINE_MS).unref();
        nanoprobe.stop({ reason: signal }).then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
}

/**
 * `startNanoprobe(options)`: validates the configuration, loads (or creates) the key, binds the one UDP
 * socket, and starts announcing. Returns the running nanoprobe as a handle (`status()`, `stop()`,
 * events), so that tests and benchmarks can run several in one process; the CLI command is a thin
 * layer over it.
 */
import os from 'node:os';
import { isIP } from 'node:net';
import { openUdpSocket } from '../protocol/net/udp-socket';
import type { Identity, PublicKeys } from '../protocol/security/identity';
import { SecurePacketGuard } from '../protocol/security/packet-guard';
import { LocalSession } from '../protocol/security/session';
import { SystemClock, type Clock } from '../protocol/transport/clock';
import { Endpoint } from '../protocol/transport/endpoint';
import type { TransportOptionsInput } from '../protocol/transport/options';
import { bootstrapTarget, prepareBootstrapSocket } from './bootstrap';
import { parseNanoprobeConfig, type NanoprobeConfig, type NanoprobeConfigInput } from './config';
import { Nanoprobe, type NanoprobeParts } from './daemon';
import { listScripts } from './discovery/script-directory';
import type { DiscoveryBridgeOptions } from './discovery-bridge';
import { announcedAddresses } from '../agent/host-addresses';
import { UnknownSenderTap } from './unknown-sender-tap';
import { configuredCmaKeys, loadNanoprobeIdentity } from './identity';
import { createNanoprobeLogger, type Logger } from './logger';
import { builtinDiscoveryDirectory, softwareVersion } from './project-files';
import { ChildSpawner } from './sandbox/child-spawner';

export type StartNanoprobeOptions = {
  /** Validated here; flags/env/YAML merging is config-loader.ts's job (the CLI does it). */
  config: NanoprobeConfigInput | NanoprobeConfig;
  /** Use this key instead of the state directory's (benchmarks running many nanoprobes). */
  identity?: Identity;
  /** The CMA's keys, instead of cmaPubkeyFile / UNIMATRIX_CMA_PUBKEY. */
  cmaKeys?: PublicKeys;
  logger?: Logger;
  /** Environment for UNIMATRIX_CMA_PUBKEY (default process.env). */
  env?: NodeJS.ProcessEnv;
  transport?: TransportOptionsInput;
  /** Replaces the real discovery script runner (tests). */
  runDiscovery?: DiscoveryBridgeOptions['run'];
  clock?: Clock;
  random?: () => number;
};

export async function startNanoprobe(options: StartNanoprobeOptions): Promise<Nanoprobe> {
  const config = parseNanoprobeConfig(options.config);
  const log = options.logger ?? createNanoprobeLogger(config.log.level);
  const identity = options.identity ?? loadNanoprobeIdentity(config.stateDir, (what) => log.warn(what)).identity;
  const cmaKeys = options.cmaKeys ?? configuredCmaKeys(config.cmaPubkeyFile, options.env ?? process.env);

  const socket = await openUdpSocket({
    host: config.bind.host,
    port: config.bind.port,
    type: isIP(config.bind.host) === 6 ? 'udp6' : 'udp4',
    // Heartbeats and control traffic are small; a nanoprobe needs no multi-megabyte buffers.
    recvBufferBytes: 256 * 1024,
    sendBufferBytes: 256 * 1024,
  });
  let stopSpawner: (() => void) | undefined;
  try {
    prepareBootstrapSocket(socket, config);
    const guard = new SecurePacketGuard({ identity, session: new LocalSession() });
    const clock = options.clock ?? new SystemClock();
    let nanoprobe: Nanoprobe | undefined;
    const tapped = new UnknownSenderTap(
      socket,
      (keyId) => guard.knowsPeer(keyId),
      (claimed, from) => nanoprobe?.noteUnexpected(claimed, from),
    );
    const endpoint = new Endpoint({ socket: tapped, guard, clock, options: options.transport ?? {} });
    const discovery: NanoprobeParts['discovery'] = { directories: [...config.discovery.dirs, builtinDiscoveryDirectory()] };
    if (options.runDiscovery !== undefined) discovery.run = options.runDiscovery;
    else {
      // Started now, while the nanoprobe is idle: the one fork its own event loop waits for.
      const spawner = new ChildSpawner({ onHelperProblem: (message) => log.warn({ problem: message }, 'spawner helper problem; started again on the next run') });
      discovery.runChild = spawner.run;
      stopSpawner = () => spawner.stop();
      discovery.onStop = stopSpawner;
    }
    // The CMA decides what runs: a script of the operator's own runs once the CMA asks for it.
    for (const own of listScripts(config.discovery.dirs)) {
      log.info({ discovery: own.name, path: own.path }, 'discovery script of your own found: it runs when the CMA requests it (discovery.requests in the CMA configuration)');
    }
    nanoprobe = new Nanoprobe({
      config,
      identity,
      guard,
      endpoint,
      cmaKeys,
      bootstrap: bootstrapTarget(config),
      hostname: config.hostname ?? os.hostname(),
      addresses: announcedAddresses(config.addresses),
      softwareVersion: softwareVersion(),
      log,
      clock,
      epochNow: Date.now,
      random: options.random ?? Math.random,
      discovery,
    });
    nanoprobe.start();
    return nanoprobe;
  } catch (err) {
    stopSpawner?.();
    await socket.close();
    throw err;
  }
}

export type { Nanoprobe };

/**
 * A child process running many nanoprobes (the real daemon code, `startNanoprobe`), for the join
 * benchmark: `node nanoprobe-swarm.js <cma ip:port> <first> <count> <segments>`. Host i binds
 * 127.<10 + i mod segments>.<i div 250>.<i mod 250 + 2> in subnet 127.<10 + i mod segments>.0.0/16.
 * Prints "READY <count>" once all are started, and "JOINED <n>" as they join; exits on SIGTERM.
 */
import { startNanoprobe, type Nanoprobe } from '../../nanoprobe/start';
import { generateIdentity } from '../../protocol/security/identity';
import { silentLogger } from '../../common/logger';

export function swarmAddress(i: number, segments: number): { ip: string; prefixLength: number } {
  const segment = i % segments;
  const slot = Math.floor(i / segments);
  return { ip: `127.${10 + segment}.${Math.floor(slot / 250)}.${(slot % 250) + 2}`, prefixLength: 16 };
}

async function run(): Promise<void> {
  const [cma, firstText, countText, segmentsText] = process.argv.slice(2);
  const first = Number(firstText);
  const count = Number(countText);
  const segments = Number(segmentsText);
  const probes: Nanoprobe[] = [];
  for (let i = first; i < first + count; i++) {
    const address = swarmAddress(i, segments);
    probes.push(
      await startNanoprobe({
        config: {
          hostname: `swarm-${String(i).padStart(5, '0')}`,
          bind: { host: address.ip, port: 0 },
          addresses: [`${address.ip}/${address.prefixLength}`],
          cma,
          stateDir: '/nonexistent-unused',
          log: { level: 'silent' },
        },
        identity: generateIdentity(),
        logger: silentLogger,
      }),
    );
  }
  process.stdout.write(`READY ${probes.length}\n`);
  let last = -1;
  const timer = setInterval(() => {
    const joined = probes.filter((p) => p.status().joined).length;
    if (joined !== last) process.stdout.write(`JOINED ${joined}\n`);
    last = joined;
  }, 250);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    void Promise.all(probes.map((p) => p.stop({ leave: false }))).finally(() => process.exit(0));
  });
}

if (require.main === module) {
  run().catch((err: unknown) => {
    process.stderr.write(`swarm failed: ${String(err)}\n`);
    process.exit(1);
  });
}

/**
 * Per-namespace /etc/hosts and /etc/resolv.conf. `ip netns exec <ns>` bind-mounts the files of
 * /etc/netns/<ns>/ over /etc for the command it runs. Without them a lab process that resolves its
 * own hostname (lldpd does, at start) asks the machine's DNS server, which the lab cannot reach, and
 * hangs for the resolver's full timeout. With them every lab hostname resolves from the file, and any
 * other DNS query fails at once on the namespace's closed loopback port 53.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCidr } from './ipv4';
import { namespaceName } from './names';
import type { LabPlan } from './topology';

export const NETNS_ETC = '/etc/netns';

function hostsFile(plan: LabPlan, own: string): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const names = (hostname: string): string => {
    const short = hostname.split('.')[0] ?? hostname;
    return short === hostname ? hostname : `${hostname} ${short}`;
  };
  const ownHost = plan.hosts.find((h) => h.name === own);
  const ownAddress = ownHost?.nics[0]?.addresses[0];
  if (!ownAddress) lines.push(`127.0.1.1\t${names(ownHost?.hostname ?? own)}`);
  for (const host of plan.hosts) {
    const cidr = host.nics[0]?.addresses[0];
    if (cidr) lines.push(`${parseCidr(cidr).address}\t${names(host.hostname)}`);
  }
  return `# unimatrix lab: every lab host, by its first address\n${lines.join('\n')}\n`;
}

const RESOLV = '# unimatrix lab: no DNS server inside the lab; lab names resolve from /etc/hosts\noptions timeout:1 attempts:1\n';

/** Writes /etc/netns/<ns>/{hosts,resolv.conf} for every node of the plan. */
export function writeNetnsEtc(labId: string, plan: LabPlan): void {
  for (const node of [...plan.switches.map((s) => s.name), ...plan.hosts.map((h) => h.name)]) {
    const dir = path.join(NETNS_ETC, namespaceName(labId, node));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'hosts'), hostsFile(plan, node));
    writeFileSync(path.join(dir, 'resolv.conf'), RESOLV);
  }
}

/** Removes the /etc/netns directories of the given namespaces. */
export function removeNetnsEtc(namespaces: string[]): void {
  for (const ns of namespaces) rmSync(path.join(NETNS_ETC, ns), { recursive: true, force: true });
}

/** Names of the /etc/netns directories present (any owner). */
export function listNetnsEtc(): string[] {
  try {
    return readdirSync(NETNS_ETC);
  } catch {
    return [];
  }
}

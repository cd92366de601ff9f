/**
 * A synthetic fleet's discovery documents, shaped like what the real scripts print (see
 * test/discovery/fixtures/sample-results.ts): per host a netconfig, processes, tcp and packages
 * document. Hosts have roles (database, cache, web, app, worker) so that listening services and the
 * connections between hosts look like a real deployment: web servers call app servers, app servers and
 * workers call databases and caches, and every host runs sshd. Deterministic for a given seed.
 */
import { Random } from '../sim/random';

export type Role = 'db' | 'cache' | 'web' | 'app' | 'worker';

export type FleetHost = {
  name: string;
  role: Role;
  /** the address other hosts connect to */
  ip: string;
  documents: { netconfig: unknown; processes: unknown; tcp: unknown; packages: unknown };
};

type Proc = { pid: number; ppid: number; starttime: number; start_ms: number; comm: string; exe: string; argv: string[]; uid: number; user: string };

const BOOT_MS = 1_795_000_000_000;

const SYSTEM_PROCESSES: Array<[string, string, string[], string]> = [
  ['systemd', '/usr/lib/systemd/systemd', ['/sbin/init'], 'root'],
  ['systemd-journal', '/usr/lib/systemd/systemd-journald', ['/lib/systemd/systemd-journald'], 'root'],
  ['systemd-udevd', '/usr/lib/systemd/systemd-udevd', ['/lib/systemd/systemd-udevd'], 'root'],
  ['systemd-logind', '/usr/lib/systemd/systemd-logind', ['/lib/systemd/systemd-logind'], 'root'],
  ['dbus-daemon', '/usr/bin/dbus-daemon', ['/usr/bin/dbus-daemon', '--system', '--address=systemd:', '--nofork', '--nopidfile', '--systemd-activation', '--syslog-only'], 'messagebus'],
  ['cron', '/usr/sbin/cron', ['/usr/sbin/cron', '-f'], 'root'],
  ['rsyslogd', '/usr/sbin/rsyslogd', ['/usr/sbin/rsyslogd', '-n', '-iNONE'], 'root'],
  ['chronyd', '/usr/sbin/chronyd', ['/usr/sbin/chronyd', '-F', '1'], '_chrony'],
  ['agetty', '/usr/sbin/agetty', ['/sbin/agetty', '-o', '-p -- \\u', '--noclear', '-', 'linux'], 'root'],
  ['sshd', '/usr/sbin/sshd', ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], 'root'],
  ['unattended-upgr', '/usr/bin/python3.11', ['/usr/bin/python3', '/usr/share/unattended-upgrades/unattended-upgrade-shutdown', '--wait-for-signal'], 'root'],
  ['node_exporter', '/usr/bin/prometheus-node-exporter', ['/usr/bin/prometheus-node-exporter'], 'prometheus'],
];

const ROLE_SERVICE: Record<Role, { port: number | null; comm: string; exe: string; user: string; workers: number }> = {
  db: { port: 5432, comm: 'postgres', exe: '/usr/lib/postgresql/15/bin/postgres', user: 'postgres', workers: 24 },
  cache: { port: 6379, comm: 'redis-server', exe: '/usr/bin/redis-server', user: 'redis', workers: 4 },
  web: { port: 443, comm: 'nginx', exe: '/usr/sbin/nginx', user: 'www-data', workers: 8 },
  app: { port: 8080, comm: 'java', exe: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', user: 'app', workers: 1 },
  worker: { port: null, comm: 'python3', exe: '/usr/bin/python3.11', user: 'app', workers: 16 },
};

/** Base packages every host has; a few hosts lag one version behind on some. */
const BASE_PACKAGES = [
  'adduser', 'apt', 'base-files', 'bash', 'bsdutils', 'ca-certificates', 'coreutils', 'cron', 'curl', 'dbus', 'debconf', 'dpkg', 'e2fsprogs',
  'findutils', 'gpgv', 'grep', 'gzip', 'hostname', 'init-system-helpers', 'iproute2', 'iputils-ping', 'less', 'libc6', 'libssl3', 'libsystemd0',
  'login', 'logrotate', 'lsb-base', 'mawk', 'mount', 'ncurses-base', 'netbase', 'openssh-client', 'openssh-server', 'openssl', 'passwd', 'perl-base',
  'procps', 'python3', 'python3.11', 'rsyslog', 'sed', 'sudo', 'systemd', 'systemd-sysv', 'tar', 'tzdata', 'util-linux', 'vim-tiny', 'zlib1g',
];
const ROLE_PACKAGES: Record<Role, string[]> = {
  db: ['postgresql-15', 'postgresql-client-15', 'postgresql-common', 'libpq5'],
  cache: ['redis-server', 'redis-tools', 'libjemalloc2'],
  web: ['nginx', 'nginx-common', 'libnginx-mod-http-geoip', 'ssl-cert'],
  app: ['openjdk-17-jre-headless', 'java-common', 'ca-certificates-java'],
  worker: ['python3-celery', 'python3-redis', 'python3-psycopg2'],
};

function roleOf(i: number, hosts: number): Role {
  // Servers first, so that clients' connections find them when their tcp results are written.
  const f = i / hosts;
  if (f < 0.02) return 'db';
  if (f < 0.04) return 'cache';
  if (f < 0.14) return 'web';
  if (f < 0.5) return 'app';
  return 'worker';
}

function ipOf(i: number): string {
  const n = i + 10; // clear of the gateway, 10.20.0.1
  return `10.${20 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

function macOf(i: number, nic: number): string {
  const b = [0x02, 0x42, (i >> 16) & 255, (i >> 8) & 255, i & 255, nic];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function envelope(discovertype: string, description: string, host: string, data: unknown): unknown {
  return { discovertype, description, host, source: `unimatrix:discovery-scripts/${discovertype}.js`, data };
}

function netconfig(name: string, i: number): unknown {
  const nic = (n: number, addresses: unknown[]) => ({
    name: `eth${n}`, ifindex: n + 2, mac: macOf(i, n), mtu: 1500, operstate: 'up', link_type: 'ether', speed_mbps: 10000, duplex: 'full', physical: true, addresses,
  });
  return envelope('netconfig', 'NICs, addresses and default gateways', name, {
    source: 'iproute2',
    nics: [
      { name: 'lo', ifindex: 1, mac: '00:00:00:00:00:00', mtu: 65536, operstate: 'unknown', link_type: 'loopback', speed_mbps: null, duplex: null, physical: false,
        addresses: [{ family: 'inet', address: '127.0.0.1', prefixlen: 8, scope: 'host' }, { family: 'inet6', address: '::1', prefixlen: 128, scope: 'host' }] },
      nic(0, [
        { family: 'inet', address: ipOf(i), prefixlen: 16, scope: 'global' },
        { family: 'inet6', address: `fd00:20::${i.toString(16)}`, prefixlen: 64, scope: 'global' },
        { family: 'inet6', address: `fe80::42:${((i >> 8) & 255).toString(16)}ff:fe${(i & 255).toString(16).padStart(2, '0')}:0`, prefixlen: 64, scope: 'link' },
      ]),
      nic(1, [{ family: 'inet', address: `192.168.${(i >> 8) & 255}.${i & 255}`, prefixlen: 16, scope: 'global' }]),
    ],
    default_routes: [{ family: 'inet', gateway: '10.20.0.1', dev: 'eth0', metric: null }],
  });
}

function processList(name: string, role: Role, rng: Random): Proc[] {
  const procs: Proc[] = [];
  let pid = 1;
  let tick = 200;
  const add = (comm: string, exe: string, argv: string[], user: string, ppid: number): Proc => {
    const p = { pid, ppid, starttime: tick, start_ms: BOOT_MS + tick * 10, comm, exe, argv, uid: user === 'root' ? 0 : 100 + (user.length % 50), user };
    procs.push(p);
    pid += 1 + rng.int(40);
    tick += 1 + rng.int(300);
    return p;
  };
  for (const [comm, exe, argv, user] of SYSTEM_PROCESSES) add(comm, exe, argv, user, 1);
  const svc = ROLE_SERVICE[role];
  const master = add(svc.comm, svc.exe, [svc.exe, '-c', `/etc/${role}/${role}.conf`], role === 'web' ? 'root' : svc.user, 1);
  for (let w = 0; w < svc.workers; w++) add(svc.comm, svc.exe, [`${svc.comm}: worker process ${w}`], svc.user, master.pid);
  // Short-lived and per-user processes: shells, editors, cron jobs, a monitoring agent's checks.
  const extra = 60 + rng.int(60);
  for (let e = 0; e < extra; e++) {
    const kind = rng.int(4);
    if (kind === 0) add('bash', '/usr/bin/bash', ['-bash'], 'admin', 1);
    else if (kind === 1) add('sleep', '/usr/bin/sleep', ['sleep', String(60 + rng.int(3600))], 'root', 1);
    else if (kind === 2) add('python3', '/usr/bin/python3.11', ['/usr/bin/python3', `/opt/jobs/job-${rng.int(40)}.py`, '--host', name], 'app', 1);
    else add('kworker-helper', '/usr/local/bin/helper', ['/usr/local/bin/helper', `--slot=${e}`], 'root', 1);
  }
  return procs;
}

export function generateFleet(hosts: number, seed = 1): FleetHost[] {
  const rng = new Random(seed);
  const names = Array.from({ length: hosts }, (_, i) => `bench-${roleOf(i, hosts)}-${String(i).padStart(5, '0')}`);
  const byRole = new Map<Role, number[]>();
  for (let i = 0; i < hosts; i++) {
    const role = roleOf(i, hosts);
    byRole.set(role, [...(byRole.get(role) ?? []), i]);
  }
  const pick = (role: Role, k: number): number[] => {
    const pool = byRole.get(role) ?? [];
    return pool.length === 0 ? [] : Array.from({ length: k }, () => pool[rng.int(pool.length)] as number);
  };

  return names.map((name, i) => {
    const role = roleOf(i, hosts);
    const procs = processList(name, role, rng);
    const svc = ROLE_SERVICE[role];
    const owners = procs.filter((p) => p.comm === svc.comm).slice(0, 1 + Math.min(4, svc.workers));
    const sshd = procs.find((p) => p.comm === 'sshd') as Proc;
    const exporter = procs.find((p) => p.comm === 'node_exporter') as Proc;
    const owner = (p: Proc) => ({ pid: p.pid, starttime: p.starttime, comm: p.comm });
    const listening = [
      { ip: '0.0.0.0', port: 22, family: 'inet', wildcard: true, processes: [owner(sshd)] },
      { ip: '::', port: 22, family: 'inet6', wildcard: true, processes: [owner(sshd)] },
      { ip: '0.0.0.0', port: 9100, family: 'inet', wildcard: true, processes: [owner(exporter)] },
    ];
    if (svc.port !== null) listening.push({ ip: '0.0.0.0', port: svc.port, family: 'inet', wildcard: true, processes: owners.map(owner) });
    if (role === 'web') listening.push({ ip: '0.0.0.0', port: 80, family: 'inet', wildcard: true, processes: owners.map(owner) });

    // Outbound: grouped per process and remote endpoint, as the tcp script reports them.
    const callers = procs.filter((p) => p.comm === svc.comm || p.comm === 'python3');
    const targets: Array<[Role, number, number]> =
      role === 'web' ? [['app', 8080, 3]] : role === 'app' ? [['db', 5432, 2], ['cache', 6379, 1]] : role === 'worker' ? [['db', 5432, 1], ['cache', 6379, 2]] : [];
    const outbound: unknown[] = [];
    for (const [target, port, k] of targets) {
      for (const t of new Set(pick(target, k))) {
        for (const caller of callers.slice(0, 3)) outbound.push({ ...owner(caller), remote_ip: ipOf(t), remote_port: port });
      }
    }
    outbound.push({ ...owner(procs.find((p) => p.comm === 'chronyd') as Proc), remote_ip: '10.20.0.1', remote_port: 123 });
    const inbound = [{ local_ip: ipOf(i), local_port: 22, remote_ip: '10.20.0.5' }];

    const lagging = rng.next() < 0.1;
    const packages = [...BASE_PACKAGES, ...ROLE_PACKAGES[role]].map((p, k) => ({
      manager: 'dpkg', name: p, version: lagging && k % 7 === 0 ? `1.${k}.0-1` : `1.${k}.1-1`, arch: 'amd64',
    }));
    // Libraries that differ from host to host (what makes a real package list long).
    for (let l = 0; l < 450; l++) {
      if (rng.next() < 0.8) packages.push({ manager: 'dpkg', name: `lib${['gnutls', 'xml2', 'curl', 'ssh', 'krb5', 'sasl', 'ldap', 'pcre', 'icu', 'uuid'][l % 10]}-${l}`, version: `${1 + (l % 5)}.${l % 13}-${1 + rng.int(2)}`, arch: l % 9 === 0 ? 'all' : 'amd64' });
    }
    packages.push({ manager: 'pip', name: 'requests', version: '2.28.1', arch: 'amd64' });

    return {
      name,
      role,
      ip: ipOf(i),
      documents: {
        netconfig: netconfig(name, i),
        processes: envelope('processes', 'running processes with executable, arguments and user', name, { processes: procs }),
        tcp: envelope('tcp', 'listening TCP services and connections with their processes', name, { listening, outbound, outbound_unowned: [], inbound }),
        packages: envelope('packages', 'installed packages (dpkg, rpm, npm, pip)', name, {
          managers: [
            { name: 'dpkg', available: true, count: packages.length - 1, reason: null },
            { name: 'rpm', available: false, count: 0, reason: 'rpm is not installed' },
            { name: 'pip', available: true, count: 1, reason: null },
          ],
          packages,
        }),
      },
    };
  });
}

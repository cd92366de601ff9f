/**
 * The scripts' parsers on fixed text, for the cases this machine cannot show (systemd as init,
 * IPv6 sockets, half-removed packages, escaped mount points, VLANs).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
type Fn<A extends unknown[], R> = (...args: A) => R;

const systemd = require('../../discovery-scripts/systemd') as {
  parseListUnits: Fn<[string], Array<Record<string, string>>>;
  parseUnitFiles: Fn<[string], Map<string, string>>;
};
const sshd = require('../../discovery-scripts/sshd') as { parseSshdT: Fn<[string], Record<string, string | string[]>> };
const tcp = require('../../discovery-scripts/tcp') as {
  parseTcpTable: Fn<[string, 'inet' | 'inet6'], Array<{ local: { ip: string; port: number }; remote: { ip: string; port: number }; state: string; inode: number }>>;
};
const packages = require('../../discovery-scripts/packages') as {
  parseDpkg: Fn<[string], Array<{ name: string; version: string }>>;
  parseRpm: Fn<[string], Array<{ name: string; version: string; arch: string | null }>>;
};
const filesystems = require('../../discovery-scripts/filesystems') as {
  parseMountinfo: Fn<[string], Array<{ mountpoint: string; fstype: string; read_only: boolean; source: string }>>;
};
const lldp = require('../../discovery-scripts/lldp') as {
  parseNeighbors: Fn<[unknown], Array<{ interface: string; vlans: Array<{ id: number; name: string; pvid: boolean }>; port: { id: string; id_type: string } }>>;
};
const inet = require('../../discovery-scripts/lib/inet') as { formatIPv6: Fn<[number[]], string> };
const command = require('../../discovery-scripts/lib/command') as { stableText: Fn<[string], string> };

describe('discovery script parsers', () => {
  test('systemctl list-units, including a failed unit with its status glyph', () => {
    const text = [
      'cron.service            loaded active   running Regular background program processing daemon',
      '● nginx.service         loaded failed   failed  A high performance web server',
      'ssh.socket              loaded inactive dead    OpenBSD Secure Shell server socket',
      '',
    ].join('\n');
    expect(systemd.parseListUnits(text)).toEqual([
      { name: 'cron.service', type: 'service', load: 'loaded', active: 'active', sub: 'running', description: 'Regular background program processing daemon' },
      { name: 'nginx.service', type: 'service', load: 'loaded', active: 'failed', sub: 'failed', description: 'A high performance web server' },
      { name: 'ssh.socket', type: 'socket', load: 'loaded', active: 'inactive', sub: 'dead', description: 'OpenBSD Secure Shell server socket' },
    ]);
    const files = systemd.parseUnitFiles('cron.service enabled enabled\nnginx.service disabled enabled\n');
    expect(files.get('nginx.service')).toBe('disabled');
  });

  test('sshd -T: repeated keywords become lists, others stay single values', () => {
    const settings = sshd.parseSshdT('port 22\nport 2222\npermitrootlogin no\nhostkey /etc/ssh/a\nhostkey /etc/ssh/b\nsubsystem sftp /usr/lib/sftp-server\n');
    expect(settings).toEqual({
      port: ['22', '2222'],
      permitrootlogin: 'no',
      hostkey: ['/etc/ssh/a', '/etc/ssh/b'],
      subsystem: ['sftp /usr/lib/sftp-server'],
    });
  });

  test('/proc/net/tcp6 lines: IPv6 and IPv4-mapped addresses', () => {
    const header = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const text =
      header +
      '   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0\n' +
      '   1: 0000000000000000FFFF00000200A8C0:0050 0000000000000000FFFF00000300A8C0:D431 01 00000000:00000000 00:00000000 00000000    33        0 2002 1 0 20 4 30 10 -1\n' +
      '   2: 000080FE00000000FF00FC00010000FE:1F90 00000000000000000000000001000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0 100 0 0 10 0\n';
    const rows = tcp.parseTcpTable(text, 'inet6');
    expect(rows.map((r) => `${r.local.ip} ${r.local.port} ${r.remote.ip} ${r.remote.port} ${r.state} ${r.inode}`)).toEqual([
      ':: 22 :: 0 0A 2001',
      '192.168.0.2 80 192.168.0.3 54321 01 2002',
      'fe80::fc:ff:fe00:1 8080 ::1 0 0A 2003',
    ]);
    expect(inet.formatIPv6([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
  });

  test('dpkg: only installed packages; rpm: gpg-pubkey pseudo packages left out', () => {
    const dpkg = packages.parseDpkg('bash\t5.2.15-2+b7\tamd64\tii \nold-lib\t1.0\tamd64\trc \n');
    expect(dpkg).toEqual([{ manager: 'dpkg', name: 'bash', version: '5.2.15-2+b7', arch: 'amd64' }]);
    const rpm = packages.parseRpm('openssl\t3.0.7-25.el9\tx86_64\ngpg-pubkey\tfd431d51-4ae0493b\t(none)\n');
    expect(rpm).toEqual([{ manager: 'rpm', name: 'openssl', version: '3.0.7-25.el9', arch: 'x86_64' }]);
  });

  test('mountinfo: escaped spaces in mount points, read-only flag', () => {
    const text = '36 35 98:0 /mnt1 /mnt/my\\040disk ro,noatime master:1 - ext3 /dev/root rw,errors=continue\n';
    expect(filesystems.parseMountinfo(text)).toEqual([
      expect.objectContaining({ mountpoint: '/mnt/my disk', fstype: 'ext3', read_only: true, source: '/dev/root' }),
    ]);
  });

  test('lldp json0: port id types and VLANs', () => {
    const doc = {
      lldp: [
        {
          interface: [
            {
              name: 'eth1', via: 'LLDP', rid: '3', age: '0 day, 01:02:03',
              chassis: [{ id: [{ type: 'mac', value: '00:11:22:33:44:55' }], name: [{ value: 'sw-a' }] }],
              port: [{ id: [{ type: 'ifname', value: 'Gi1/0/7' }], descr: [{ value: 'uplink' }], ttl: [{ value: '120' }] }],
              vlan: [{ 'vlan-id': '20', pvid: true, value: 'servers' }],
            },
          ],
        },
      ],
    };
    const [n] = lldp.parseNeighbors(doc);
    expect(n?.interface).toBe('eth1');
    expect(n?.port).toEqual({ id: 'Gi1/0/7', id_type: 'ifname', descr: 'uplink' });
    expect(n?.vlans).toEqual([{ id: 20, name: 'servers', pvid: true }]);
    expect(JSON.stringify(n)).not.toMatch(/01:02:03|"120"/);
  });

  test('tool messages lose their timestamps (a reason must not change at every run)', () => {
    expect(command.stableText('2026-11-21T22:40:05 [WARN/control] unable to connect')).toBe('[WARN/control] unable to connect');
  });
});

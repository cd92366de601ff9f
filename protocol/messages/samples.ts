/**
 * One realistic example payload per message type. Used by the round-trip tests, as seeds for the
 * fuzz tests and by benchmarks. The mapped type makes the compiler insist on an entry for every type in
 * the table, so a newly appended message cannot be forgotten by the round-trip tests.
 */
import type { MessageName, PayloadOf } from '../message-types';

const key = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

export const SAMPLE_PAYLOADS: { [N in MessageName]: PayloadOf<N> } = {
  ANNOUNCE: {
    hostname: 'web-01.example.net',
    addresses: [
      { ip: '10.0.0.11', prefixLength: 24, interface: 'eth0' },
      { ip: 'fe80::1', prefixLength: 64, interface: 'eth0' },
    ],
    port: 1984,
    ed25519: key(1),
    x25519: key(2),
    startTime: 1_735_000_000_123,
    softwareVersion: '0.1.0',
    role: 'nanoprobe',
  },
  ANNOUNCE_ACK: {
    accepted: false,
    code: 'UNI_SEC_007',
    reason: 'host key changed since first seen',
    startTime: 1_735_000_000_123,
    cma: { keyId: '0123456789abcdef', ed25519: key(3), x25519: key(4) },
  },
  CONFIG: {
    configVersion: 7,
    heartbeatIntervalMs: 1000,
    warnTimeMs: 3000,
    deadTimeMs: 5000,
    partners: [
      {
        keyId: 'a1b2c3d4e5f60718',
        hostname: 'web-02',
        ed25519: key(5),
        x25519: key(6),
        address: { ip: '10.0.0.12', port: 1984 },
        rings: ['global', 'subnet:10.0.0.0/24'],
      },
    ],
  },
  HEARTBEAT: { seq: 4_294_967_296, sentAt: 1_735_000_001_000 },
  PARTNER_REPORT: {
    partner: 'a1b2c3d4e5f60718',
    status: 'dead',
    lastHeard: null,
    observer: 'ffeeddccbbaa9988',
    ring: 'global',
    reportedAt: 1_735_000_006_000,
  },
  UNEXPECTED_HEARTBEAT: {
    observer: 'ffeeddccbbaa9988',
    claimedSender: null,
    from: { ip: '2001:db8::7', port: 40000 },
    count: 12,
    firstSeen: 1_735_000_000_000,
    lastSeen: 1_735_000_011_000,
  },
  PROBE: { probeId: 99, sentAt: 1_735_000_006_500 },
  PROBE_REPLY: { probeId: 99, sentAt: 1_735_000_006_500, startTime: 1_735_000_000_123 },
  LEAVE: { reason: 'SIGTERM', startTime: 1_735_000_000_123 },
  SHUTDOWN: { reason: 'process exiting' },
  APP_ACK: { refType: 14, ref: 'netconfig:9f86d081884c7d65' },
  APP_NAK: { refType: 14, ref: 'tcp:00aa', code: 'UNI_PROTO_003', message: 'graph write failed', retryable: true },
  DISCOVERY_REQUEST: {
    name: 'netconfig',
    repeatSeconds: 300,
    timeoutSeconds: 30,
    parameters: { INTERFACES: 'eth0,eth1', VERBOSE: '1' },
  },
  DISCOVERY_RESULT: {
    name: 'netconfig',
    contentHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    exitStatus: 0,
    signal: null,
    stderr: '',
    startedAt: 1_735_000_002_000,
    durationMs: 41,
    outcome: {
      ok: true,
      document: {
        discovertype: 'netconfig',
        description: 'network interfaces',
        host: 'web-01',
        source: 'discovery-scripts/netconfig',
        data: { eth0: { mac: '52:54:00:12:34:56', mtu: 1500, up: true, speed: null, ips: ['10.0.0.11/24'] }, ratio: 0.5 },
      },
    },
  },
  REJOIN: { reason: 'declared dead: host down (second_partner)', joinId: 1_735_000_000_456 },
  AGENT_LOAD: { windowMs: 60_000, slow: true, eventLoopDelayP99Ms: 412.5, eventLoopDelayMaxMs: 1_930, heartbeatLatenessP99Ms: 880 },
  POLLER_WORKERS: { workers: [{ index: 0, capacity: 2_000, state: 'up' }, { index: 1, capacity: 2_000, state: 'draining' }] },
  POLLER_ASSIGN: {
    epoch: 42,
    worker: 1,
    start: [
      {
        device: 'core-sw-01',
        address: '10.0.9.1',
        port: 22,
        platform: 'cisco_ios',
        credential: 'netops',
        hostKeySha256: 'nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8',
        commands: [{ command: 'show interfaces', intervalSeconds: 60, template: 'cisco_ios_show_interfaces.textfsm' }],
      },
    ],
    stop: ['edge-rtr-07'],
  },
  POLLER_CONFIRM: { epoch: 42, worker: 1, device: 'core-sw-01', firstPollAt: 1_735_000_004_500 },
  POLL_RESULT: {
    worker: 1,
    device: 'core-sw-01',
    command: 'show version',
    contentHash: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    startedAt: 1_735_000_005_000,
    durationMs: 180,
    outcome: { ok: true, records: [{ VERSION: '15.2(4)E10', HOSTNAME: 'core-sw-01', UPTIME: '3 weeks, 2 days' }] },
  },
};

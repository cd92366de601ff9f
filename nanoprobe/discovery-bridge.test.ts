import { UnimatrixError } from '../protocol/errors';
import type { DiscoveryRequest } from './discovery/request';
import type { RunResult } from './discovery/run-result';
import { DiscoveryBridge } from './discovery-bridge';
import type { DiscoveryResultPayload } from './discovery-wire';
import { silentLogger } from './logger';

/** A scripted runner: each run of a name returns the next document for it. */
function runner(outputs: Record<string, unknown[]>) {
  const runs: string[] = [];
  const run = async (request: DiscoveryRequest): Promise<RunResult> => {
    runs.push(request.name);
    const data = outputs[request.name]?.shift() ?? 'same';
    return {
      ok: true,
      document: { discovertype: request.name, description: '', host: 'h', source: 't', data },
      outputBytes: 10,
      script: `/s/${request.name}`,
      durationMs: 1,
      exitCode: 0,
      signal: null,
      stderr: { text: '', truncated: false },
    };
  };
  return { run, runs };
}

type Send = { payload: DiscoveryResultPayload; resolve: () => void; reject: (e: unknown) => void };

function harness(outputs: Record<string, unknown[]> = {}) {
  const sends: Send[] = [];
  let joined = false;
  const r = runner(outputs);
  const bridge = new DiscoveryBridge({
    directories: [],
    maxConcurrent: 2,
    log: silentLogger,
    canSend: () => joined,
    run: r.run,
    send: (payload) => new Promise<void>((resolve, reject) => sends.push({ payload, resolve, reject })),
  });
  return { bridge, sends, runs: r.runs, join: (v: boolean) => (joined = v) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('DiscoveryBridge', () => {
  it('sends each result reliably once the request ran', async () => {
    const h = harness({ os: [{ kernel: '6.1' }] });
    h.join(true);
    h.bridge.request({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: {} });
    await h.bridge.whenIdle();
    await settle();
    expect(h.runs).toEqual(['os']);
    expect(h.sends.map((s) => s.payload.outcome)).toEqual([{ ok: true, document: expect.objectContaining({ data: { kernel: '6.1' } }) }]);
    h.sends[0]?.resolve();
    await settle();
    expect(h.bridge.status()).toMatchObject({ pending: [], resultsSent: 1 });
  });

  it('holds results while there is no CMA and sends only the latest per request after the join', async () => {
    const h = harness({ os: [{ v: 1 }, { v: 2 }] });
    h.bridge.request({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: {} });
    await h.bridge.whenIdle();
    h.bridge.request({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: {} }); // replaced: runs again
    await h.bridge.whenIdle();
    await settle();
    expect(h.sends).toHaveLength(0);
    expect(h.bridge.status().pending).toEqual(['os']);
    h.join(true);
    h.bridge.rejoined();
    expect(h.sends.map((s) => (s.payload.outcome.ok ? (s.payload.outcome.document as { data: unknown }).data : null))).toEqual([{ v: 2 }]);
  });

  it('sends again after a re-join what the transport failed to deliver', async () => {
    const h = harness({ os: [{ v: 1 }] });
    h.join(true);
    h.bridge.request({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: {} });
    await h.bridge.whenIdle();
    await settle();
    h.sends[0]?.reject(new Error('gave up'));
    await settle();
    expect(h.bridge.status()).toMatchObject({ pending: ['os'], sendFailures: 1 });
    h.bridge.rejoined();
    expect(h.sends).toHaveLength(2);
    h.sends[1]?.resolve();
    await settle();
    expect(h.bridge.status().pending).toEqual([]);
  });

  it('answers an unusable request with an invalid_request result instead of running it', async () => {
    const h = harness();
    h.join(true);
    h.bridge.request({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: { _x: '1' } });
    expect(h.runs).toEqual([]);
    expect(h.sends[0]?.payload.outcome).toMatchObject({ ok: false, code: 'UNI_DISC_001' });
    expect(h.bridge.status().invalidRequests).toBe(1);
  });

  it('turns a result the codec refuses (too large) into a failure result', async () => {
    const h = harness({ big: [{ v: 1 }] });
    h.join(true);
    h.bridge.request({ name: 'big', repeatSeconds: 0, timeoutSeconds: 5, parameters: {} });
    await h.bridge.whenIdle();
    await settle();
    h.sends[0]?.reject(new UnimatrixError('UNI_PROTO_010', 'DISCOVERY_RESULT: 17000000 bytes > 16777216'));
    await settle();
    expect(h.sends[1]?.payload.outcome).toMatchObject({ ok: false, code: 'UNI_DISC_009' });
  });
});

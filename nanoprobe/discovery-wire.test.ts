import { encodeMessage } from '../protocol/codec';
import { ERROR_CODE_PATTERN } from '../protocol/errors';
import { makeMessage } from '../protocol/message-types';
import type { RunResult } from './discovery/run-result';
import { fingerprintOf, type DiscoveryReport } from './discovery/scheduler';
import { invalidRequestResult, requestFromWire, resultToWire, tooLargeResult } from './discovery-wire';
import { DISCOVERY_FAILURE_CODES } from '../protocol/messages/discovery-codes';

const facts = { script: '/x/os', durationMs: 41.6, stderr: { text: 'warning: x', truncated: false } };

function report(result: RunResult): DiscoveryReport {
  return { requestId: 'os', request: { name: 'os', intervalMs: 0 }, result, fingerprint: fingerprintOf(result), startedAt: 1_800_000_000_000 };
}

describe('discovery on the wire', () => {
  it('turns a wire request into a scheduler request (seconds → ms, parameters → params)', () => {
    expect(requestFromWire({ name: 'lldp', repeatSeconds: 300, timeoutSeconds: 30, parameters: { socket: '/run/l.sock' } })).toEqual({
      ok: true,
      request: { name: 'lldp', intervalMs: 300_000, timeoutMs: 30_000, params: { socket: '/run/l.sock' } },
    });
    expect(requestFromWire({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: {} })).toEqual({ ok: true, request: { name: 'os', intervalMs: 0, timeoutMs: 5000 } });
  });

  it('refuses what the runner cannot run, with the reason', () => {
    const bad = requestFromWire({ name: 'os', repeatSeconds: 0, timeoutSeconds: 5, parameters: { _hidden: 'x' } });
    expect(bad).toMatchObject({ ok: false, message: expect.stringContaining('params._hidden') });
    const invalid = invalidRequestResult('os', 'params._hidden: bad', 1_800_000_000_000);
    expect(invalid.outcome).toEqual({ ok: false, code: DISCOVERY_FAILURE_CODES.invalid_request, message: 'invalid_request: params._hidden: bad' });
    expect(() => encodeMessage(makeMessage('DISCOVERY_RESULT', invalid))).not.toThrow();
  });

  it('sends a success with the canonical content hash and the document', () => {
    const document = { discovertype: 'os', description: 'd', host: 'h', source: 's', data: { kernel: '6.1' } };
    const wire = resultToWire(report({ ok: true, document, outputBytes: 80, exitCode: 0, signal: null, ...facts }));
    expect(wire).toMatchObject({ name: 'os', exitStatus: 0, signal: null, stderr: 'warning: x', durationMs: 42, outcome: { ok: true, document } });
    expect(wire.contentHash).toBe(fingerprintOf({ ok: true, document, outputBytes: 80, exitCode: 0, signal: null, ...facts }).slice(3));
    expect(() => encodeMessage(makeMessage('DISCOVERY_RESULT', wire))).not.toThrow();
  });

  it('sends a failure with a catalogue-style code that names the runner code', () => {
    const wire = resultToWire(report({ ok: false, code: 'timeout', message: 'no result within 5000 ms', exitCode: null, signal: 'SIGKILL', ...facts }));
    expect(wire).toMatchObject({ exitStatus: null, signal: 'SIGKILL', outcome: { ok: false, code: 'UNI_DISC_004', message: 'timeout: no result within 5000 ms' } });
    expect(wire.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(() => encodeMessage(makeMessage('DISCOVERY_RESULT', wire))).not.toThrow();
  });

  it('uses distinct codes that the wire accepts', () => {
    const codes = Object.values(DISCOVERY_FAILURE_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(ERROR_CODE_PATTERN);
  });

  it('replaces a result too large to send by a failure saying so', () => {
    const document = { discovertype: 'os', description: 'd', host: 'h', source: 's', data: 'x' };
    const wire = resultToWire(report({ ok: true, document, outputBytes: 80, exitCode: 0, signal: null, ...facts }));
    const replaced = tooLargeResult(wire, 'MESSAGE_TOO_LARGE');
    expect(replaced.outcome).toEqual({ ok: false, code: 'UNI_DISC_009', message: 'result_too_large: MESSAGE_TOO_LARGE' });
    expect(replaced.contentHash).not.toBe(wire.contentHash);
  });
});

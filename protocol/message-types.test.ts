import { MESSAGE_NAME_BY_NUMBER, MESSAGE_NAMES, MESSAGE_TABLE, messageTypeNumber } from './message-types';

describe('message table', () => {
  test('numbers are pinned: append new types, never renumber (update this list only by appending)', () => {
    const pinned: Record<string, number> = {
      ANNOUNCE: 1,
      ANNOUNCE_ACK: 2,
      CONFIG: 3,
      HEARTBEAT: 4,
      PARTNER_REPORT: 5,
      UNEXPECTED_HEARTBEAT: 6,
      PROBE: 7,
      PROBE_REPLY: 8,
      LEAVE: 9,
      SHUTDOWN: 10,
      APP_ACK: 11,
      APP_NAK: 12,
      DISCOVERY_REQUEST: 13,
      DISCOVERY_RESULT: 14,
      REJOIN: 15,
      AGENT_LOAD: 16,
      POLLER_WORKERS: 17,
      POLLER_ASSIGN: 18,
      POLLER_CONFIRM: 19,
      POLL_RESULT: 20,
    };
    for (const [name, number] of Object.entries(pinned)) {
      expect([name, MESSAGE_TABLE[name as keyof typeof MESSAGE_TABLE]?.type]).toEqual([name, number]);
    }
    // Anything not pinned here is new, and must take a number above every pinned one.
    const highestPinned = Math.max(...Object.values(pinned));
    for (const name of MESSAGE_NAMES.filter((n) => !(n in pinned))) {
      expect(messageTypeNumber(name)).toBeGreaterThan(highestPinned);
    }
  });

  test('numbers are unique, non-zero and fit the u16 header; the reverse index covers all', () => {
    const numbers = MESSAGE_NAMES.map(messageTypeNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every((n) => n >= 1 && n <= 0xffff)).toBe(true);
    for (const name of MESSAGE_NAMES) expect(MESSAGE_NAME_BY_NUMBER.get(messageTypeNumber(name))).toBe(name);
    expect(MESSAGE_NAME_BY_NUMBER.get(0)).toBeUndefined();
  });
});

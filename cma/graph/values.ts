import neo4j, { isDate, isDateTime, isDuration, isInt, isLocalDateTime, isLocalTime, isTime } from 'neo4j-driver';

/** An integer for Neo4j: JavaScript numbers would be stored as floats. */
export function int(value: number | bigint): ReturnType<typeof neo4j.int> {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new TypeError(`not an integer: ${value}`);
  }
  return neo4j.int(value);
}

/** The current time as integer milliseconds since the epoch, the form of firstseen/lastupdated. */
export function nowMillis(clock: () => number = Date.now): ReturnType<typeof neo4j.int> {
  return neo4j.int(Math.trunc(clock()));
}

/**
 * Turns driver values into JSON-friendly ones for the API: integers become numbers when they fit
 * (strings otherwise, never a silent loss), temporal values ISO strings, nodes and relationships
 * their properties.
 */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (isInt(value)) {
    return value.inSafeRange() ? value.toNumber() : value.toString();
  }
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (isDate(value) || isDateTime(value) || isLocalDateTime(value) || isTime(value) || isLocalTime(value) || isDuration(value)) {
    return value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlain);
  // Byte arrays (Neo4j byte[] properties) as base64, not as an object of numbered keys.
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'object') {
    const graphEntity = value as { properties?: unknown; labels?: unknown; type?: unknown };
    if (graphEntity.properties !== undefined && (graphEntity.labels !== undefined || graphEntity.type !== undefined)) {
      return toPlain(graphEntity.properties);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

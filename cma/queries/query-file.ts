/**
 * One named query per `.cypher` file: the file name is the query's name, a comment header describes
 * it and declares its parameters, the rest is the Cypher.
 *
 *     // Which hosts depend on a host: hosts whose processes connect to its TCP services.
 *     //
 *     // @param host: string -- the host's name
 *     // @param limit: integer(1..10000) = 1000 -- most rows returned
 *     MATCH (server:Host {key: $host}) …
 *
 * Parameter types: `string`, `integer` (optionally with inclusive bounds `integer(1..65535)`),
 * `boolean`, `address` (an IP or MAC address, normalised to the form the graph keys them by). A
 * parameter is required unless it is marked optional (`string?`, null when missing) or has a default
 * (`= 1000`; a string default with spaces is written as a JSON string). The Cypher may use only the
 * declared parameters, and must use each of them: a typo fails at load, not at query time.
 */
import path from 'node:path';
import { checkParams, PARAM_TYPES, type ParamSpec, type ParamType } from './query-params';

export type NamedQuery = {
  name: string;
  description: string;
  parameters: ParamSpec[];
  cypher: string;
  /** where it was read from */
  file: string;
};

export class QueryFileError extends Error {
  constructor(file: string, line: number | null, message: string) {
    super(`${file}${line === null ? '' : `:${line}`}: ${message}`);
    this.name = 'QueryFileError';
  }
}

export const QUERY_NAME = /^[a-z][a-z0-9-]{0,63}$/;

const PARAM_LINE =
  /^@param\s+([A-Za-z][A-Za-z0-9_]{0,31})\s*:\s*([a-z]+)(\?)?(?:\(\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\))?(?:\s*=\s*("(?:[^"\\]|\\.)*"|\S+))?(?:\s+--\s+(.*))?$/;

function parseDefault(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  return token.startsWith('"') ? (JSON.parse(token) as string) : token;
}

export function parseQueryFile(file: string, text: string): NamedQuery {
  const name = path.basename(file, '.cypher');
  if (!QUERY_NAME.test(name)) throw new QueryFileError(file, null, 'query names are lower-case letters, digits and -, starting with a letter');

  const lines = text.split('\n');
  const description: string[] = [];
  const parameters: ParamSpec[] = [];
  let body = 0;
  for (; body < lines.length; body++) {
    const line = (lines[body] ?? '').trim();
    if (line === '') continue;
    if (!line.startsWith('//')) break;
    const content = line.slice(2).trim();
    if (content.startsWith('@')) {
      parameters.push(parseParam(file, body + 1, content, parameters));
    } else if (content !== '') {
      if (parameters.length > 0) throw new QueryFileError(file, body + 1, 'description lines go before the @param lines');
      description.push(content);
    }
  }
  const cypher = lines.slice(body).join('\n').trim().replace(/;\s*$/, '');
  if (description.length === 0) throw new QueryFileError(file, 1, 'a query starts with a comment describing it');
  if (cypher === '') throw new QueryFileError(file, null, 'no Cypher after the header');

  const declared = new Set(parameters.map((p) => p.name));
  const used = new Set([...cypher.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''));
  for (const u of used) if (!declared.has(u)) throw new QueryFileError(file, null, `the Cypher uses $${u}, which no @param declares`);
  for (const d of declared) if (!used.has(d)) throw new QueryFileError(file, null, `@param ${d} is declared but the Cypher never uses $${d}`);

  return { name, description: description.join(' '), parameters, cypher, file };
}

function parseParam(file: string, line: number, content: string, earlier: ParamSpec[]): ParamSpec {
  const m = PARAM_LINE.exec(content);
  if (!m) {
    throw new QueryFileError(file, line, 'expected "@param <name>: <type>[?][(min..max)] [= <default>] [-- <description>]"');
  }
  const [, name = '', type = '', optionalMark, min, max, defaultToken, text] = m;
  if (!(PARAM_TYPES as readonly string[]).includes(type)) throw new QueryFileError(file, line, `unknown type "${type}" (types: ${PARAM_TYPES.join(', ')})`);
  if ((min !== undefined || max !== undefined) && type !== 'integer') throw new QueryFileError(file, line, 'only integers take bounds');
  if (earlier.some((p) => p.name === name)) throw new QueryFileError(file, line, `parameter ${name} declared twice`);
  const spec: ParamSpec = {
    name,
    type: type as ParamType,
    required: optionalMark === undefined && defaultToken === undefined,
    default: null,
    description: (text ?? '').trim(),
    ...(min === undefined ? {} : { min: Number(min) }),
    ...(max === undefined ? {} : { max: Number(max) }),
  };
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) throw new QueryFileError(file, line, 'bounds are (min..max)');
  const rawDefault = parseDefault(defaultToken);
  if (rawDefault !== undefined) {
    // The default goes through the same check as a user's value, so a bad default fails at load.
    const checked = checkParams([{ ...spec, required: true }], { [name]: rawDefault });
    if (!checked.ok) throw new QueryFileError(file, line, `default of ${name}: ${checked.message}`);
    const value = checked.params[name];
    spec.default = spec.type === 'integer' ? Number(String(value)) : (value as string | boolean);
  }
  return spec;
}

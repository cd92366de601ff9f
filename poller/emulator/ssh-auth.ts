/**
 * Who is logging in to which device. On a device's own port the device is known from the port; on
 * the shared port it comes from the login name: `admin%core-01` (or `admin@core-01`, split at the
 * last `%` or `@`) logs in as `admin` to `core-01`, and a login name listed in the emulator's user
 * map selects its device without a suffix. Then password, keyboard-interactive (a password prompt)
 * or public-key authentication against the device's credentials.
 */
import { utils, type AuthContext, type ParsedKey } from 'ssh2';
import type { Credential } from './device-spec';
import type { EmulatedDevice } from './emulated-device';

export interface LoginTarget {
  device: EmulatedDevice;
  /** The login name without the device suffix. */
  username: string;
  credential: Credential;
}

export function splitLogin(login: string): { username: string; device: string | undefined } {
  const at = Math.max(login.lastIndexOf('%'), login.lastIndexOf('@'));
  if (at <= 0 || at === login.length - 1) return { username: login, device: undefined };
  return { username: login.slice(0, at), device: login.slice(at + 1) };
}

export type DeviceResolver = (login: string) => { device: EmulatedDevice; username: string } | undefined;

const METHODS: Array<'publickey' | 'password' | 'keyboard-interactive'> = ['publickey', 'password', 'keyboard-interactive'];

const parsedKeys = new Map<string, ParsedKey | null>();

/** Parsed once per distinct key line: thousands of devices usually share a handful of keys. */
function parsePublicKey(line: string): ParsedKey | null {
  let hit = parsedKeys.get(line);
  if (hit === undefined) {
    const parsed = utils.parseKey(line);
    hit = parsed instanceof Error ? null : Array.isArray(parsed) ? ((parsed as ParsedKey[])[0] ?? null) : parsed;
    parsedKeys.set(line, hit);
  }
  return hit;
}

/**
 * Answers one authentication request; calls `onLogin` once a method succeeded. Every method is
 * offered again after a failure, as OpenSSH servers do, so clients fall through key → password.
 */
export function authenticate(ctx: AuthContext, resolve: DeviceResolver, onLogin: (target: LoginTarget) => void): void {
  const found = resolve(ctx.username);
  if (!found || found.device.faults?.has('refuse-auth')) {
    ctx.reject(METHODS);
    return;
  }
  const { device, username } = found;
  const candidates = device.credentials.filter((c) => c.username === username);
  const accept = (credential: Credential): void => {
    onLogin({ device, username, credential });
    ctx.accept();
  };
  switch (ctx.method) {
    case 'password': {
      const c = candidates.find((k) => k.password !== undefined && k.password === ctx.password);
      if (c) accept(c);
      else ctx.reject(METHODS);
      return;
    }
    case 'keyboard-interactive': {
      if (!candidates.some((c) => c.password !== undefined)) {
        ctx.reject(METHODS);
        return;
      }
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
        const c = candidates.find((k) => k.password !== undefined && k.password === answers[0]);
        if (c) accept(c);
        else ctx.reject(METHODS);
      });
      return;
    }
    case 'publickey': {
      for (const c of candidates) {
        for (const line of c.publicKeys ?? []) {
          const key = parsePublicKey(line);
          if (!key || !key.getPublicSSH().equals(ctx.key.data)) continue;
          // Without a signature the client only asks whether the key would do; accepting says yes.
          if (!ctx.signature || !ctx.blob) return void ctx.accept();
          if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return accept(c);
        }
      }
      ctx.reject(METHODS);
      return;
    }
    default:
      ctx.reject(METHODS);
  }
}

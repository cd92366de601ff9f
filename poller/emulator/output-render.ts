/**
 * The pieces that turn a command's stored text into what a device prints now: `{{hostname}}`,
 * `{{serial}}` and `{{uptime}}` filled in per device, and counter rules applied so that numbers move
 * between polls (EmulatedDevice.output puts them together, with the interface states).
 */
import type { CounterRule, OutputContext } from './device-profile';

const TEMPLATE = /\{\{(hostname|serial|uptime)\}\}/g;

export function fillTemplate(text: string, ctx: OutputContext): string {
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (_all, key: string) => {
    if (key === 'hostname') return ctx.hostname;
    if (key === 'serial') return ctx.serial;
    return ctx.formatUptime(ctx.uptimeSeconds);
  });
}

export function applyCounters(text: string, rules: readonly CounterRule[], uptimeSeconds: number): string {
  let out = text;
  for (const rule of rules) {
    out = out.replace(rule.pattern, (whole: string, ...groups: unknown[]) => {
      // The replacer's trailing arguments are the offset and the whole string; only the captures count.
      const captures = groups.slice(0, rule.ratePerSecond.length).map((g) => (typeof g === 'string' ? g : ''));
      let result = '';
      let rest = whole;
      captures.forEach((digits, i) => {
        const at = rest.indexOf(digits);
        if (at < 0 || digits === '') return;
        const base = Number(digits);
        const value = base === 0 ? 0 : base + Math.floor((rule.ratePerSecond[i] ?? 0) * uptimeSeconds);
        result += rest.slice(0, at) + String(value);
        rest = rest.slice(at + digits.length);
      });
      return result + rest;
    });
  }
  return out;
}

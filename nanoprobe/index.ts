/** The nanoprobe's public surface: start one, and the pieces tests and benchmarks reach for. */
export { startNanoprobe } from './start';
export type { StartNanoprobeOptions } from './start';
export { Nanoprobe } from './daemon';
export type { NanoprobeEvents, NanoprobeStatus, StopOptions } from './daemon';
export { loadNanoprobeConfig } from './config-loader';
export { NanoprobeConfigError, nanoprobeConfigSchema, parseNanoprobeConfig } from './config';
export type { NanoprobeConfig, NanoprobeConfigInput } from './config';

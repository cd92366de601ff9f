/** The lab harness's public surface; see README.md. */
export { Lab, withLab, type LabOptions } from './lab';
export { describeAsRoot, useLab, LAB_HOOK_TIMEOUT_MS } from './lab-jest';
export { LabHost, LabSwitch, type ProcessOptions, type CommandOptions } from './lab-nodes';
export { LabProcess, describeExit, type ExitStatus } from './lab-process';
export { LldpDaemon, type NeighborMatch } from './lldp';
export type { LldpNeighbor } from './lldp-json';
export { isRoot, labReadiness, missingBinaries } from './prerequisites';
export { destroyAllLabs } from './registry';
export { sweepStaleLabs, type SweepReport } from './sweep';
export { linkState, type SwitchFailure } from './switch-failure';
export type { LabTopology, HostSpec, SwitchSpec, SegmentSpec, TrunkSpec, NicSpec } from './topology';
export { waitFor } from './wait';
export type { CommandResult } from './command';
export { tsEntryArgs, TS_REGISTER } from './ts-entry';
export { LabCma, startNanoprobe, keepLogs, type CmaOptions } from './daemons';
export { CmaApi, firing, partnersByKey, ringMembers, withStatus, type ApiAlert, type ApiHost, type ApiRings } from './cma-api';
export { labDiscoveryDir, type DiscoveryDirOptions } from './discovery-dir';
export { twoSwitchLab, type TwoSwitchLab } from './two-switch-lab';

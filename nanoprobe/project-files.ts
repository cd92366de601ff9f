/**
 * Where the nanoprobe finds the files it ships with: the project's package.json (its software version)
 * and the built-in discovery-scripts/ folder. Code runs both from the sources (jest) and from dist/
 * (the CLI): common/project-package.ts finds the root for both.
 */
import path from 'node:path';
import { projectPackage } from '../common/project-package';

/** The version announced to the CMA (package.json's `version`, at most 64 characters as the wire allows). */
export function softwareVersion(): string {
  return projectPackage().version.slice(0, 64);
}

/** The project's own discovery scripts, searched after any directories the operator adds. */
export function builtinDiscoveryDirectory(): string {
  return path.join(projectPackage().root, 'discovery-scripts');
}

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../common/project-package';
import { Logger, silentLogger } from '../../common/logger';

/**
 * The embedded Neo4j's files: jars fetched by Maven from neo4j/pom.xml into neo4j/lib, and the launcher
 * compiled once into neo4j/target. Both are checked against a stamp so later starts are offline and
 * take seconds; a changed pom.xml or Launcher.java is noticed and rebuilt.
 */
export type Neo4jRuntime = { classpath: string; mainClass: string };

const NEO4J_DIR = 'neo4j';

function runtimeDir(): string {
  return path.join(projectRoot(), NEO4J_DIR);
}

function stampOf(file: string): string {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}:${readFileSync(file, 'utf8').length}`;
}

/** What Maven has downloaded so far, from its "Downloaded from …: URL (12 kB at …)" lines. */
export function countDownloads(text: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const m of text.matchAll(/Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|MB|GB)/g)) {
    files++;
    bytes += Number(m[1]) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'B' | 'kB' | 'MB' | 'GB'] ?? 1);
  }
  return { files, bytes };
}

function run(command: string, args: string[], cwd: string, log: Logger, progress?: (output: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    log.info({ command, args }, 'neo4j runtime: running');
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let seen = '';
    const ticker = progress === undefined ? undefined : setInterval(() => progress(seen), 5_000);
    child.on('close', () => {
      if (ticker !== undefined) clearInterval(ticker);
    });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8000);
      if (progress !== undefined) seen = (seen + chunk.toString().split('\n').filter((l) => l.includes('Downloaded from')).join('\n')).slice(-2_000_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`cannot run ${command}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** Fetches the jars (Maven) and compiles the launcher when missing or stale. Idempotent. */
export async function ensureNeo4jRuntime(log: Logger = silentLogger): Promise<Neo4jRuntime> {
  const dir = runtimeDir();
  const lib = path.join(dir, 'lib');
  const target = path.join(dir, 'target');
  const pom = path.join(dir, 'pom.xml');
  const launcher = path.join(dir, 'Launcher.java');
  const jarStamp = path.join(lib, '.fetched');
  const classStamp = path.join(target, '.compiled');

  const wantJars = stampOf(pom);
  const haveJars = existsSync(jarStamp) ? readFileSync(jarStamp, 'utf8') : '';
  if (haveJars !== wantJars || !existsSync(lib) || !readdirSync(lib).some((f) => f.endsWith('.jar'))) {
    // The first fetch is about 155 MB from Maven Central: say so, and how far it got every 5 s.
    process.stderr.write('neo4j runtime: fetching Neo4j 5.26 from Maven Central (about 155 MB, first run only)...\n');
    await run('mvn', ['-B', '-f', pom, 'package'], dir, log, (seen) => {
      const { files, bytes } = countDownloads(seen);
      process.stderr.write(`neo4j runtime: ${files} files, ${(bytes / 1e6).toFixed(1)} MB downloaded so far\n`);
    });
    writeFileSync(jarStamp, wantJars);
  }

  const wantClass = `${stampOf(launcher)}|${wantJars}`;
  const haveClass = existsSync(classStamp) ? readFileSync(classStamp, 'utf8') : '';
  if (haveClass !== wantClass || !existsSync(path.join(target, 'Launcher.class'))) {
    mkdirSync(target, { recursive: true });
    await run('javac', ['-nowarn', '-cp', path.join(lib, '*'), '-d', target, launcher], dir, log);
    writeFileSync(classStamp, wantClass);
  }

  return { classpath: `${target}${path.delimiter}${path.join(lib, '*')}`, mainClass: 'Launcher' };
}

import { countDownloads } from './runtime-files';

describe('countDownloads (Maven fetch progress)', () => {
  it('sums the files and sizes of Maven batch-mode "Downloaded from" lines, and nothing else', () => {
    const output = [
      'Downloading from central: https://repo.maven.apache.org/maven2/org/neo4j/neo4j/5.26.0/neo4j-5.26.0.pom',
      'Downloaded from central: https://repo.maven.apache.org/maven2/org/neo4j/neo4j/5.26.0/neo4j-5.26.0.pom (12 kB at 48 kB/s)',
      'Downloaded from central: https://repo.maven.apache.org/maven2/org/neo4j/neo4j-kernel/5.26.0/neo4j-kernel-5.26.0.jar (2.5 MB at 3.1 MB/s)',
      'Downloaded from central: https://repo.maven.apache.org/maven2/x/y/1/y-1.sha1 (40 B at 1 kB/s)',
      '[INFO] BUILD SUCCESS',
    ].join('\n');
    expect(countDownloads(output)).toEqual({ files: 3, bytes: 12_000 + 2_500_000 + 40 });
    expect(countDownloads('')).toEqual({ files: 0, bytes: 0 });
  });
});

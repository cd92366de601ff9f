/** Unit tests of the lab's skip/fail decision (the user id and environment are faked; nothing runs). */
import { labReadiness, missingBinaries } from './prerequisites';

describe('labReadiness', () => {
  const saved = { CI: process.env.CI, PATH: process.env.PATH };
  afterEach(() => {
    jest.restoreAllMocks();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const asUid = (uid: number): void => {
    jest.spyOn(process, 'getuid').mockReturnValue(uid);
  };

  it('skips when not root outside CI', () => {
    asUid(1000);
    delete process.env.CI;
    expect(labReadiness()).toEqual({ ready: false, mustFail: false, reason: expect.stringMatching(/need root/) });
  });

  it('fails when not root in CI', () => {
    asUid(1000);
    process.env.CI = 'true';
    expect(labReadiness()).toMatchObject({ ready: false, mustFail: true });
  });

  it('fails as root when binaries are missing, naming them and the packages', () => {
    asUid(0);
    process.env.PATH = '/nonexistent';
    const readiness = labReadiness();
    expect(readiness).toMatchObject({ ready: false, mustFail: true });
    expect(readiness.ready ? '' : readiness.reason).toMatch(/ip, lldpd, lldpcli, unshare, sysctl.*apt-get install iproute2 lldpd/);
    expect(missingBinaries()).toEqual(['ip', 'lldpd', 'lldpcli', 'unshare', 'sysctl']);
  });

  it('is ready as root with the binaries on PATH', () => {
    asUid(0);
    process.env.PATH = `${saved.PATH ?? ''}:/usr/sbin:/sbin`;
    const binaries = missingBinaries();
    // On a machine without lldpd this case cannot hold; the case above covers that branch.
    if (binaries.length > 0) return expect(labReadiness()).toMatchObject({ ready: false });
    expect(labReadiness()).toEqual({ ready: true });
  });
});

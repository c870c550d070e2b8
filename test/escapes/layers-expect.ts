// What layers.mjs must report, wherever it ran (this host or the cgroup-v2 VM).

export interface LayersConfig {
  cgroups: 'on' | 'off';
  userns: 'host' | 'auto';
  devicesOpened: string[];
  fds: string;
  workdirFd: string[];
  keysShowCorePattern: boolean;
  keysWritable: boolean;
  newHostFiles: string[];
}

export interface LayersResult {
  cgroup2: string;
  configs: LayersConfig[];
  ownerKill: { started: number; survivors: number };
  leftoverCgroups: string[];
}

export function expectLayeredDefences(get: () => LayersResult): void {
  const configs = (): LayersConfig[] => get().configs;

  it('ran all four configurations', () => {
    expect(configs().map((c) => `${c.cgroups}/${c.userns}`)).toEqual(['on/host', 'on/auto', 'off/host', 'off/auto']);
  });

  it('class 4: no device node made inside opens on the root (nodev), whatever the configuration', () => {
    for (const c of configs()) expect({ c: `${c.cgroups}/${c.userns}`, opened: c.devicesOpened.filter((l) => l.startsWith('open /tmp')) }).toEqual({ c: `${c.cgroups}/${c.userns}`, opened: [] });
  });

  it('class 4: with cgroups on, the device program alone denies them, on a mount without nodev too', () => {
    for (const c of configs().filter((x) => x.cgroups === 'on')) expect(c.devicesOpened).toEqual([]);
  });

  it('class 1: only stdio reaches the command (3 is ls\'s own directory fd)', () => {
    for (const c of configs()) expect(c.fds).toBe('0 1 2 3');
  });

  it('class 1: a workdir of /proc/self/fd/N is refused for every N, never the host', () => {
    for (const c of configs()) for (const w of c.workdirFd) expect(w).toMatch(/^refused: /);
  });

  it('class 2: a volume over /dev with null -> core_pattern does not become /proc/keys', () => {
    for (const c of configs()) expect([c.keysShowCorePattern, c.keysWritable]).toEqual([false, false]);
  });

  it('class 6: with --userns auto, nothing the container writes reaches the directory root on the host', () => {
    for (const c of configs().filter((x) => x.userns === 'auto')) expect(c.newHostFiles).toEqual([]);
    // without a user namespace the root is used in place, as runc does with a bundle (a check that the probe works)
    for (const c of configs().filter((x) => x.userns === 'host')) expect(c.newHostFiles.sort()).toEqual(['new-file', 'suid-shell']);
  });

  it('class 7: a SIGKILLed owner takes its -u 1000 --userns auto container along; the next start reaps the rest', () => {
    expect(get().ownerKill).toEqual({ started: 1, survivors: 0 });
    expect(get().leftoverCgroups).toEqual([]);
  });
}

import { readlinkSync } from 'node:fs';
import { NAMESPACE_TYPES, namespaceId, procName, sameNamespace } from '../src';
import { startReady, type ReadyProcess } from '@tincan/testkit';

describe('namespaceId and sameNamespace', () => {
  it.each(NAMESPACE_TYPES.map((t) => [t]))("%s: the inode in /proc/self/ns's link", (type) => {
    expect(readlinkSync(`/proc/self/ns/${procName(type)}`)).toBe(`${procName(type)}:[${namespaceId('self', type)}]`);
    expect(namespaceId(process.pid, type)).toBe(namespaceId('self', type));
    expect(sameNamespace('self', process.pid, type)).toBe(true);
  });

  describe('for a child in new net and uts namespaces', () => {
    let child: ReadyProcess;
    beforeAll(async () => {
      child = await startReady(['unshare', '--net', '--uts', '--fork', '--kill-child']);
    });
    afterAll(() => child.stop());

    it('differs for its net and uts namespaces', () => {
      expect(namespaceId(child.pid, 'net')).not.toBe(namespaceId('self', 'net'));
      expect(sameNamespace(child.pid, 'self', 'net')).toBe(false);
      expect(sameNamespace(child.pid, 'self', 'uts')).toBe(false);
    });

    it('is equal for the namespaces it shares with us', () => {
      for (const type of ['mount', 'pid', 'ipc', 'cgroup', 'user', 'time'] as const) {
        expect([type, namespaceId(child.pid, type)]).toEqual([type, namespaceId('self', type)]);
        expect(sameNamespace(child.pid, 'self', type)).toBe(true);
      }
    });
  });
});

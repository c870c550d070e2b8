import { planFilesystem } from '../src';

export function example(rootfs: string, hostData: string) {
  // the steps @tincan/nsexec runs in the container's new mount namespace
  const plan = planFilesystem({
    rootfs: { kind: 'directory', path: rootfs },
    volumes: [{ source: hostData, target: '/data', readOnly: true }],
    readOnly: true,
    netNamespace: true,
  });
  return [...plan.rootfs, ...plan.mounts, ...plan.kernelPaths, ...plan.pivot].map((s) => s.op); // ['mount', 'mount', 'setRoot', 'setMountAttr', 'mount', ...]
}

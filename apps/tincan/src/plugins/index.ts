import type { Plugin } from '../pipeline/plugin';
import { capabilitiesPlugin } from './capabilities';
import { cgroupsPlugin } from './cgroups';
import { commandPlugin } from './command';
import { hostnamePlugin } from './hostname';
import { mountsPlugin } from './mounts';
import { namespacesPlugin } from './namespaces';
import { noNewPrivsPlugin } from './no-new-privs';
import { rlimitsPlugin } from './rlimits';
import { rootfsPlugin } from './rootfs';
import { seccompPlugin, SeccompProfileFileError } from './seccomp';
import { userPlugin, UserIdError } from './user';
import { usernsPlugin } from './userns';

export {
  capabilitiesPlugin, cgroupsPlugin, commandPlugin, hostnamePlugin, mountsPlugin, namespacesPlugin,
  noNewPrivsPlugin, rlimitsPlugin, rootfsPlugin, seccompPlugin, SeccompProfileFileError, userPlugin, usernsPlugin, UserIdError,
};

/**
 * The default runtime's plugins. Their order is the order of the parent-side `prepare` hooks
 * (each may read what an earlier one shared); the in-container order is SETUP_ORDER's, not this.
 */
export function defaultPlugins(): Plugin[] {
  return [
    rootfsPlugin(),
    namespacesPlugin(),
    usernsPlugin(),
    cgroupsPlugin(),
    mountsPlugin(),
    hostnamePlugin(),
    rlimitsPlugin(),
    userPlugin(),
    noNewPrivsPlugin(),
    capabilitiesPlugin(),
    seccompPlugin(),
    commandPlugin(),
  ];
}

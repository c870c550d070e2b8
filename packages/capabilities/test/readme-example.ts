import { containerCapabilities, readCapabilities, resolveCapabilities } from '../src';

// docker run --cap-add NET_ADMIN --cap-drop mknod --cap-drop CAP_NET_RAW --user 1000 ...
const set = resolveCapabilities({ add: ['NET_ADMIN'], drop: ['mknod', 'CAP_NET_RAW'] });
const caps = containerCapabilities(set, { user: 'nonroot' });

export const bounding = caps.bounding.names(); // ['CAP_CHOWN', ..., 'CAP_NET_ADMIN', ...] (13 names)
export const effective = caps.effective.names(); // [] : a non-root execve starts with none
export const mine = readCapabilities('self').effective.has('CAP_SYS_ADMIN'); // true for root on the host

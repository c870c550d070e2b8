import type { ImageConfig } from '../sources/oci';

/** What an image says a container should run with (the runtime merges these with the user's flags). */
export interface ImageDefaults {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
  /** `80/tcp`, `53/udp`, … */
  exposedPorts?: string[];
  stopSignal?: string;
}

/** The image config's `config` section as ImageDefaults; empty and null fields are left out. */
export function imageDefaults(config: ImageConfig): ImageDefaults {
  const c = config.config ?? {};
  const d: ImageDefaults = {};
  if (c.Entrypoint?.length) d.entrypoint = [...c.Entrypoint];
  if (c.Cmd?.length) d.cmd = [...c.Cmd];
  if (c.Env?.length) d.env = [...c.Env];
  if (c.WorkingDir) d.workingDir = c.WorkingDir;
  if (c.User) d.user = c.User;
  if (c.Labels && Object.keys(c.Labels).length) d.labels = { ...c.Labels };
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length) d.exposedPorts = Object.keys(c.ExposedPorts).map(withProtocol);
  if (c.StopSignal) d.stopSignal = c.StopSignal;
  return d;
}

/** The image spec allows `80` meaning `80/tcp`. */
function withProtocol(port: string): string {
  return port.includes('/') ? port : `${port}/tcp`;
}

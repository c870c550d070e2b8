import { MountSpecError } from './paths';
import type { TmpfsSpec } from './spec';

type TmpfsOptions = Omit<TmpfsSpec, 'target'>;

/** Options that take a value: what the kernel's tmpfs understands and docker passes on. */
const VALUED: Record<string, { pattern: RegExp; want: string; set(o: TmpfsOptions, v: string): void }> = {
  size: { pattern: /^\d+[kmg%]?$/i, want: 'bytes with an optional k, m, g or % suffix', set: (o, v) => void (o.size = v) },
  mode: { pattern: /^[0-7]{1,4}$/, want: 'octal permissions such as 1777', set: (o, v) => void (o.mode = parseInt(v, 8)) },
  uid: { pattern: /^\d{1,10}$/, want: 'a numeric uid', set: (o, v) => void (o.uid = id('uid', v)) },
  gid: { pattern: /^\d{1,10}$/, want: 'a numeric gid', set: (o, v) => void (o.gid = id('gid', v)) },
  nr_inodes: { pattern: /^\d+[kmg]?$/i, want: 'a count with an optional k, m or g suffix', set: (o, v) => void (o.nrInodes = v) },
};

/** Flags docker accepts on a tmpfs, as spec fields. `dev` is refused: device nodes are never usable in tincan's mounts. */
const FLAGS: Record<string, (o: TmpfsOptions) => void> = {
  ro: (o) => void (o.readOnly = true),
  rw: (o) => void (o.readOnly = false),
  exec: (o) => void (o.exec = true),
  noexec: (o) => void (o.exec = false),
  suid: (o) => void (o.suid = true),
  nosuid: (o) => void (o.suid = false),
  nodev: () => undefined,
};

function id(what: string, v: string): number {
  const n = Number(v);
  if (n > 0xfffffffe) throw new MountSpecError(`tmpfs option ${what}=${v}: out of range (0 to 4294967294)`);
  return n;
}

/**
 * docker's `--tmpfs` option list ("size=64m,mode=1777,noexec") → TmpfsSpec fields, starting from
 * docker's defaults (noexec, nosuid). Anything else is refused with the option named, never passed
 * to the kernel verbatim.
 */
export function parseTmpfsOptions(list: string): TmpfsOptions {
  const options: TmpfsOptions = { exec: false };
  for (const opt of list.split(',').filter(Boolean)) {
    const eq = opt.indexOf('=');
    const name = eq < 0 ? opt : opt.slice(0, eq);
    const valued = VALUED[name];
    const flag = FLAGS[name];
    if (valued && eq >= 0) {
      const value = opt.slice(eq + 1);
      if (!valued.pattern.test(value)) throw new MountSpecError(`tmpfs option "${opt}": want ${valued.want}`);
      valued.set(options, value);
    } else if (flag && eq < 0) {
      flag(options);
    } else if (name === 'dev') {
      throw new MountSpecError('tmpfs option "dev": device nodes are not usable in a container\'s mounts');
    } else {
      throw new MountSpecError(`tmpfs option "${opt}" is not supported (${[...Object.keys(VALUED).map((k) => `${k}=`), ...Object.keys(FLAGS)].join(', ')})`);
    }
  }
  return options;
}

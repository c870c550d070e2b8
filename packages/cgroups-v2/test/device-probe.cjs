// Device access probe for the kernel tests. It prints "ready" once Node has started (start-up may open
// devices a strict allowlist refuses), the test then moves it into a cgroup and sends one JSON line of
// operations; it answers with one JSON line: 'ok' or the errno code of each.
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const FLAGS = { r: fs.constants.O_RDONLY, w: fs.constants.O_WRONLY, rw: fs.constants.O_RDWR };

function attempt(op) {
  if (op.mknod !== undefined) {
    // mknod(1) runs in this process's cgroup too
    const r = spawnSync('mknod', [op.mknod, op.type, String(op.major), String(op.minor)], { encoding: 'utf8' });
    if (r.status === 0) return 'ok';
    return /Operation not permitted/.test(r.stderr) ? 'EPERM' : r.stderr.trim();
  }
  try {
    fs.closeSync(fs.openSync(op.open, FLAGS[op.flags]));
    return 'ok';
  } catch (err) {
    return err.code;
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  if (!input.includes('\n')) return;
  process.stdout.write(`${JSON.stringify(JSON.parse(input).map(attempt))}\n`);
  process.exit(0);
});
process.stdout.write('ready\n');

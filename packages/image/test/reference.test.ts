import { ImageError, formatImageReference, normalizeImageName, parseImageReference, parseSource } from '../src';

const H = 'a'.repeat(64);

describe('parseImageReference normalises like docker', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19'],
    ['library/alpine', 'docker.io/library/alpine:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/library/alpine:edge', 'docker.io/library/alpine:edge'],
    ['user/repo', 'docker.io/user/repo:latest'],
    ['user/repo/sub:tag', 'docker.io/user/repo/sub:tag'],
    ['ghcr.io/owner/img:v1.2.3', 'ghcr.io/owner/img:v1.2.3'],
    ['localhost/img', 'localhost/img:latest'],
    ['localhost:5000/img:1', 'localhost:5000/img:1'],
    ['127.0.0.1:5000/test/busybox:1', '127.0.0.1:5000/test/busybox:1'],
    ['[::1]:5000/img', '[::1]:5000/img:latest'],
    ['Registry.Example/img', 'Registry.Example/img:latest'],
    ['quay.io/a/b-c_d.e__f:T_a-g.1', 'quay.io/a/b-c_d.e__f:T_a-g.1'],
    [`alpine@sha256:${H}`, `docker.io/library/alpine@sha256:${H}`],
    [`alpine:3@sha256:${H}`, `docker.io/library/alpine:3@sha256:${H}`],
    [`host:1/x@sha256:${H}`, `host:1/x@sha256:${H}`],
  ])('%s → %s', (input, expected) => {
    expect(formatImageReference(parseImageReference(input))).toBe(expected);
    expect(normalizeImageName(expected)).toBe(expected);
  });

  it('splits registry, repository, tag and digest', () => {
    expect(parseImageReference('localhost:5000/a/b:c')).toEqual({ registry: 'localhost:5000', repository: 'a/b', tag: 'c' });
    expect(parseImageReference(`a@sha256:${H}`)).toEqual({ registry: 'docker.io', repository: 'library/a', digest: `sha256:${H}` });
  });

  it.each([
    ['', 'empty'],
    ['Alpine', 'lowercase'],
    ['user/Repo', 'lowercase'],
    ['alpine:', 'bad tag'],
    ['alpine:-x', 'bad tag'],
    [`alpine:${'t'.repeat(129)}`, 'bad tag'],
    ['alpine@sha256:abc', 'bad digest'],
    ['alpine@', 'bad digest'],
    ['a//b', 'bad path component'],
    ['a/-b', 'bad path component'],
    ['a/b_', 'bad path component'],
    ['-host.io/a', 'bad registry host'],
    [':tag', 'missing repository'],
    [`r/${'a'.repeat(260)}`, 'longer than 255'],
  ])('rejects %j (%s)', (input, why) => {
    expect(() => parseImageReference(input)).toThrow(ImageError);
    expect(() => parseImageReference(input)).toThrow(why);
  });
});

describe('parseSource', () => {
  const ref = (s: string) => parseImageReference(s);
  it.each([
    ['/srv/rootfs', { kind: 'directory', path: '/srv/rootfs' }],
    ['./rootfs', { kind: 'directory', path: './rootfs' }],
    ['../up', { kind: 'directory', path: '../up' }],
    ['.', { kind: 'directory', path: '.' }],
    ['/srv/rootfs.tar', { kind: 'tarball', path: '/srv/rootfs.tar' }],
    ['rootfs.tar.gz', { kind: 'tarball', path: 'rootfs.tar.gz' }],
    ['./r.tgz', { kind: 'tarball', path: './r.tgz' }],
    ['/r.tar.zst', { kind: 'tarball', path: '/r.tar.zst' }],
    ['oci:/l', { kind: 'oci', path: '/l' }],
    ['oci:/l:1.0', { kind: 'oci', path: '/l', tag: '1.0' }],
    ['oci:rel/dir:latest', { kind: 'oci', path: 'rel/dir', tag: 'latest' }],
    [`oci:/l@sha256:${H}`, { kind: 'oci', path: '/l', digest: `sha256:${H}` }],
    ['oci-archive:/a.tar', { kind: 'oci-archive', path: '/a.tar' }],
    ['oci-archive:/a.tar:v2', { kind: 'oci-archive', path: '/a.tar', tag: 'v2' }],
    ['docker-archive:/d.tar', { kind: 'docker-archive', path: '/d.tar' }],
    ['docker-archive:/d.tar:busybox:1', { kind: 'docker-archive', path: '/d.tar', ref: ref('busybox:1') }],
    ['docker-archive:/d.tar:localhost:5000/x:y', { kind: 'docker-archive', path: '/d.tar', ref: ref('localhost:5000/x:y') }],
    ['docker://alpine', { kind: 'docker', ref: ref('alpine') }],
    ['docker://127.0.0.1:5000/test/busybox:1', { kind: 'docker', ref: ref('127.0.0.1:5000/test/busybox:1') }],
    ['alpine', { kind: 'name', ref: ref('alpine') }],
    ['quay.io/x/y:z', { kind: 'name', ref: ref('quay.io/x/y:z') }],
  ])('%s', (source, expected) => {
    expect(parseSource(source)).toEqual(expected);
  });

  it.each([
    ['', 'empty source'],
    ['oci:', 'missing path'],
    ['oci::tag', 'missing path'],
    ['oci:/l:', 'bad tag'],
    ['oci-archive:/a.tar:x/y', 'bad tag'],
    ['docker-archive:/d.tar:UPPER', 'lowercase'],
    ['docker://', 'empty'],
    ['Not A Ref', 'invalid image reference'],
  ])('rejects %j', (source, why) => {
    expect(() => parseSource(source)).toThrow(why);
  });

  it('names the reference in the error', () => {
    expect(() => parseSource('docker://Bad')).toThrow('image Bad: invalid image reference: repository name must be lowercase');
  });
});

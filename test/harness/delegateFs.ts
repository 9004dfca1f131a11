import { RemoteFs } from "../../provider/transport/remoteFs";

/** A transport that forwards every call to `inner` except the ones overridden, for fault tests. */
export function delegateFs(inner: RemoteFs, overrides: Partial<RemoteFs>): RemoteFs {
  return {
    target: inner.target,
    readFile: (p) => inner.readFile(p),
    stat: (p) => inner.stat(p),
    createExclusive: (p, d) => inner.createExclusive(p, d),
    writeFile: (p, d, mode) => inner.writeFile(p, d, mode),
    replace: (a, b) => inner.replace(a, b),
    remove: (p) => inner.remove(p),
    ensureDir: (d) => inner.ensureDir(d),
    list: (d) => inner.list(d),
    ...overrides,
  };
}

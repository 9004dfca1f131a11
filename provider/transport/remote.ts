import { EPostConnection, isSmb, shareRootOf } from "./connection";
import { RemoteFs } from "./remoteFs";
import { SmbShare, closeAllSmbSessions, getSmbSession } from "./smbSession";
import { closeAllSessions as closeAllSshSessions, getSession } from "./sshSession";

/**
 * The files of a host, over whichever transport its connection names. `installDir` is the
 * layout's install folder; an SMB share of that folder is found through it.
 */
export async function openRemote(conn: EPostConnection, installDir: string): Promise<RemoteFs> {
  if (isSmb(conn)) {
    return new SmbShare(await getSmbSession(conn), shareRootOf(conn, installDir));
  }
  return getSession(conn);
}

/**
 * Why a file cannot be reached over this connection, or undefined when it can. Only SMB limits
 * this: a share exposes one folder.
 */
export function unreachable(
  conn: EPostConnection,
  installDir: string,
  path: string,
): string | undefined {
  if (!isSmb(conn)) return undefined;
  const root = shareRootOf(conn, installDir);
  if (SmbShare.inside(root, path) !== undefined) return undefined;
  return (
    `${path} is not inside the share "${conn.share}", which exposes ${root || "/"}; ` +
    `set connection.shareRoot to the folder the share exposes, or use a share that holds this file`
  );
}

/** Ends every pooled session of either transport. */
export async function closeAllRemotes(): Promise<void> {
  await Promise.all([closeAllSshSessions(), closeAllSmbSessions()]);
}

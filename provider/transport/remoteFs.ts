/**
 * The few file operations the editing layer needs from a transport. SSH (SFTP) implements it
 * today; any other transport only has to provide these to get the same locking, backup and
 * atomic replace.
 */
export interface RemoteFs {
  /** `user@host:port`, for messages and logs. */
  readonly target: string;
  /** The whole file, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Modification time (ms, server clock) and permission bits, or undefined when missing. */
  stat(path: string): Promise<{ mtimeMs: number; mode?: number } | undefined>;
  /** Creates a file that must not exist yet; resolves false when it already exists. */
  createExclusive(path: string, data: Buffer): Promise<boolean>;
  /**
   * Creates or truncates a file, writes it and flushes it to disk where the server can. `mode`
   * sets its permission bits, so a replacement keeps those of the file it replaces.
   */
  writeFile(path: string, data: Buffer, mode?: number): Promise<void>;
  /** Moves `from` onto `to`, replacing `to` in one step. */
  replace(from: string, to: string): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** Creates a folder; an existing one is not an error. */
  ensureDir(path: string): Promise<void>;
  /** Names in a folder; a missing folder gives an empty list. */
  list(dir: string): Promise<string[]>;
}

/**
 * Prefixed logging for the provider process.
 *
 * In a dynamic provider, whatever reaches stderr is shown by the Pulumi CLI. Debug lines are
 * opt-in through `EPOST_HYBRID_DEBUG=1`; warnings are always shown because the admin must act on
 * them. Never pass a secret or a file body here: gateway.dat lines can hold OAuth data.
 */
export type Subsystem = "ssh" | "smb" | "sftp" | "file" | "entry" | "exo";

function enabled(): boolean {
  const v = process.env.EPOST_HYBRID_DEBUG;
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/** A step worth seeing when debugging; silent unless EPOST_HYBRID_DEBUG is set. */
export function debug(subsystem: Subsystem, message: string): void {
  if (enabled()) {
    process.stderr.write(`[epost-hybrid ${subsystem}] ${message}\n`);
  }
}

/** Something the admin must act on, such as a line left alone on delete. */
export function warn(subsystem: Subsystem, message: string): void {
  process.stderr.write(`[epost-hybrid ${subsystem}] warning: ${message}\n`);
}

import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { FIXTURE_TREE } from "./sshd";

/** Relative paths of the fixture files inside the drive folder. */
export const FILES = {
  alias: "Program Files/EPOST/MS/alias.dat",
  gateway: "Program Files/EPOST/MS/gateway.dat",
  effect: "Program Files/EPOST/MS/effect.dat",
  hosts: "Windows/System32/drivers/etc/hosts",
} as const;

/** The fixture file's original bytes. */
export function original(rel: string): Buffer {
  return fs.readFileSync(path.join(FIXTURE_TREE, rel));
}

/** The fixture file's lines as raw bytes, without their CRLF endings. */
export function originalLines(rel: string): Buffer[] {
  const bytes = original(rel);
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  if (start < bytes.length) throw new Error(`${rel} does not end with CRLF`);
  return out;
}

/** Lines joined as Windows writes them: each ends with CRLF. */
export function crlf(...lines: (Buffer | string)[]): Buffer {
  return Buffer.concat(
    lines.flatMap((l) => [
      typeof l === "string" ? Buffer.from(l, "latin1") : l,
      Buffer.from("\r\n"),
    ]),
  );
}

export function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

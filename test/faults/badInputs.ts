import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { providers } from "../../provider/runtime";
import { FILES } from "../harness/bytes";
import { SshHost } from "../harness/sshd";

type Props = Record<string, unknown>;

/** [kind, inputs, the field the refusal must name]. */
export type BadInput = [string, Props, string];

const longLocal = "a".repeat(65);
const longHost = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.jp`;

const alias1 = { alias: "vip1@example.jp", address: "x@intra.example.jp" };
// An SMB connection that is fine but for the field each case breaks; check refuses before any
// connection is tried.
const smb = {
  transport: "smb",
  host: "127.0.0.1",
  share: "EPOST",
  username: "epostadmin",
  password: "not-used-here",
};

/** Bad inputs of every kind: malformed values, injected separators, open-relay trust, paths. */
export const BAD_INPUTS: BadInput[] = [
  // addresses
  ["alias", { alias: "vip1", address: "vip1@intra.example.jp" }, "alias"],
  ["alias", { alias: "vip1@", address: "vip1@intra.example.jp" }, "alias"],
  ["alias", { alias: "@example.jp", address: "vip1@intra.example.jp" }, "alias"],
  ["alias", { alias: "vip1@example", address: "vip1@intra.example.jp" }, "alias"],
  ["alias", { alias: "vi p1@example.jp", address: "vip1@intra.example.jp" }, "alias"],
  ["alias", { alias: "vip1@example.jp", address: "a..b@intra.example.jp" }, "address"],
  ["alias", { alias: `${longLocal}@example.jp`, address: "vip1@intra.example.jp" }, "alias"],
  ["alias", { alias: "vip1@example.jp", address: `x@${longHost}` }, "address"],
  [
    "alias",
    { alias: "vip1@example.jp\r\nevil@example.jp", address: "x@intra.example.jp" },
    "alias",
  ],
  ["alias", { alias: "vip1@example.jp", address: "x@intra.example.jp\nevil" }, "address"],
  ["alias", { alias: "vip1@example.jp\tx", address: "x@intra.example.jp" }, "alias"],
  ["alias", { alias: "vip1@example.jp", address: "x\u0000@intra.example.jp" }, "address"],
  ["alias", { alias: "*@example.jp", address: "x@intra.example.jp" }, "alias"],
  ["alias", { alias: "vip1@example.jp", address: 42 }, "address"],
  ["alias", { alias: "vip1@example.jp", address: "ｖｉｐ１@intra.example.jp" }, "address"],
  // gateway routes
  [
    "gateway",
    { sender: "vip1@example.jp|x@example.jp", smartHost: "smtp.office365.com" },
    "sender",
  ],
  ["gateway", { sender: "vip1@example.jp,x", smartHost: "smtp.office365.com" }, "sender"],
  ["gateway", { sender: "*@example.jp", smartHost: "smtp.office365.com" }, "sender"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "smtp.office365.com,25" }, "smartHost"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "smtp|office365.com" }, "smartHost"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "-bad.example.jp" }, "smartHost"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "bad_host.example.jp" }, "smartHost"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "300.1.2.3" }, "smartHost"],
  ["gateway", { sender: "vip1@example.jp", smartHost: longHost }, "smartHost"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "smtp.office365.com", port: 0 }, "port"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "smtp.office365.com", port: 65536 }, "port"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "smtp.office365.com", port: 25.5 }, "port"],
  ["gateway", { sender: "vip1@example.jp", smartHost: "smtp.office365.com", port: "587" }, "port"],
  [
    "gateway",
    { recipientDomain: "exa mple.jp", smartHost: "smtp.office365.com" },
    "recipientDomain",
  ],
  [
    "gateway",
    { recipientDomain: "example.jp,x", smartHost: "smtp.office365.com" },
    "recipientDomain",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "1XOAUTH2", data: "a|b" },
    },
    "auth.data",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "1XOAUTH2", data: "a,b" },
    },
    "auth.data",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "1XOAUTH2", data: "a\r\nb" },
    },
    "auth.data",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "1XOAUTH2", data: "x".repeat(5000) },
    },
    "auth.data",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "1XOAUTH2", data: "" },
    },
    "auth.data",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "XO|AUTH", data: "d" },
    },
    "auth.scheme",
  ],
  [
    "gateway",
    {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      auth: { scheme: "1XOAUTH2", data: "d", extra: 1 },
    },
    "auth.extra",
  ],
  // relay trust
  ["effect", { source: "example.jp" }, "source"],
  ["effect", { source: "EXAMPLE.JP", action: "true" }, "source"],
  ["effect", { source: "*@example.jp" }, "source"],
  ["effect", { source: "*" }, "source"],
  ["effect", { source: "*.*.*.*", allowBroadRange: true }, "source"],
  ["effect", { source: "0.0.0.0/0", allowBroadRange: true }, "source"],
  ["effect", { source: "0.0.0.0/00" }, "source"],
  ["effect", { source: "0.0.0.0/1", allowBroadRange: true }, "source"],
  ["effect", { source: "10.*.*.*", allowBroadRange: true }, "source"],
  ["effect", { source: "40.92.0.0/15" }, "source"],
  ["effect", { source: "192.168.*.*" }, "source"],
  ["effect", { source: "192.0.2.1/24" }, "source"],
  ["effect", { source: "192.0.2.0/33" }, "source"],
  ["effect", { source: "192.0.2.256" }, "source"],
  ["effect", { source: "192.0.2.010" }, "source"],
  ["effect", { source: "192.*.2.*" }, "source"],
  ["effect", { source: "#<>" }, "source"],
  ["effect", { source: "192.0.2.1 true\r\n*.*.*.*" }, "source"],
  ["effect", { source: "192.0.2.1", action: "allow" }, "action"],
  ["effect", { source: "192.0.2.1", action: "norelay,1" }, "action"],
  ["effect", { source: "192.0.2.1", action: "only" }, "action"],
  ["effect", { source: "192.0.2.1", allowBroadRange: "yes" }, "allowBroadRange"],
  // hosts entries
  ["hosts", { ip: "192.168.1.999", hostnames: ["intra.example.jp"] }, "ip"],
  ["hosts", { ip: "intra.example.jp", hostnames: ["intra.example.jp"] }, "ip"],
  ["hosts", { ip: "192.168.1.10", hostnames: [] }, "hostnames"],
  ["hosts", { ip: "192.168.1.10", hostnames: ["intra example.jp"] }, "hostnames[0]"],
  [
    "hosts",
    { ip: "192.168.1.10", hostnames: ["intra.example.jp", "INTRA.example.jp"] },
    "hostnames[1]",
  ],
  ["hosts", { ip: "192.168.1.10", hostnames: ["intra.example.jp#x"] }, "hostnames[0]"],
  // connection and layout
  [
    "alias",
    {
      alias: "vip1@example.jp",
      address: "x@intra.example.jp",
      layout: { installDir: "C:/EPOST/../Windows" },
    },
    "layout.installDir",
  ],
  [
    "alias",
    { alias: "vip1@example.jp", address: "x@intra.example.jp", layout: { aliasFile: "alias.dat" } },
    "layout.aliasFile",
  ],
  [
    "alias",
    {
      alias: "vip1@example.jp",
      address: "x@intra.example.jp",
      layout: { hostsFile: "C:/Windows/System32/drivers/etc/hosts\u0000" },
    },
    "layout.hostsFile",
  ],
  [
    "alias",
    { alias: "vip1@example.jp", address: "x@intra.example.jp", layout: { encoding: "utf16le" } },
    "layout.encoding",
  ],
  [
    "alias",
    { alias: "vip1@example.jp", address: "x@intra.example.jp", layout: { keepBackups: 0 } },
    "layout.keepBackups",
  ],
  ["alias", { alias: "vip1@example.jp", address: "x@intra.example.jp", adopt: "yes" }, "adopt"],
  ["alias", { alias: "vip1@example.jp", address: "x@intra.example.jp", order: -1 }, "order"],
  // SMB connections
  ["alias", { ...alias1, connection: { ...smb, transport: "ftp" } }, "connection.transport"],
  ["alias", { ...alias1, connection: { ...smb, share: "EPOST/MS" } }, "connection.share"],
  ["alias", { ...alias1, connection: { ...smb, share: "" } }, "connection.share"],
  ["alias", { ...alias1, connection: { ...smb, password: undefined } }, "connection.password"],
  [
    "alias",
    { ...alias1, connection: { ...smb, shareRoot: "Program Files" } },
    "connection.shareRoot",
  ],
  [
    "alias",
    { ...alias1, connection: { ...smb, shareRoot: "C:/x/../Windows" } },
    "connection.shareRoot",
  ],
  [
    "alias",
    { ...alias1, connection: { ...smb, requireSigning: "no" } },
    "connection.requireSigning",
  ],
  ["alias", { ...alias1, connection: { ...smb, hostKey: "SHA256:x" } }, "connection.hostKey"],
  ["alias", { ...alias1, connection: { ...smb, port: 0 } }, "connection.port"],
  [
    "hosts",
    {
      ip: "192.168.1.10",
      hostnames: ["intra.example.jp"],
      connection: { ...smb, shareRoot: "C:/Program Files/EPOST/MS" },
    },
    "layout.hostsFile",
  ],
];

/** What feeding the bad inputs measured. */
export interface BadInputFigures {
  inputs: number;
  /** Inputs check refused, naming the expected field. */
  refused: number;
  /** Inputs check let through, or refused naming another field. */
  missed: string[];
  /** Inputs after which some file's hash changed. */
  filesChanged: number;
}

/** Feeds every bad input through check and create; nothing may be written. */
export async function runBadInputs(
  host: SshHost,
  connectionOverride?: Props,
): Promise<BadInputFigures> {
  const figures: BadInputFigures = { inputs: 0, refused: 0, missed: [], filesChanged: 0 };
  const hash = () =>
    Object.values(FILES)
      .map((rel) =>
        createHash("sha256")
          .update(fs.readFileSync(host.file(rel)))
          .digest("hex"),
      )
      .join();
  for (const [kind, extra, field] of BAD_INPUTS) {
    figures.inputs++;
    const before = hash();
    const layout = extra.layout
      ? { ...(host.layout ?? {}), ...(extra.layout as Props) }
      : host.layout;
    const inputs = {
      connection: connectionOverride ?? host.connection(),
      ...(layout ? { layout } : {}),
      ...extra,
    };
    const { failures } = await providers[kind].check({}, inputs);
    if (failures.some((f) => f.property === field)) figures.refused++;
    else figures.missed.push(`${kind} ${JSON.stringify(extra)}: ${JSON.stringify(failures)}`);
    await providers[kind].create(inputs).catch(() => undefined);
    if (hash() !== before) figures.filesChanged++;
  }
  return figures;
}

import { crlf, FILES, originalLines } from "./bytes";

const [info, sales] = originalLines(FILES.alias);
const [partner, notice, gwCatchAll] = originalLines(FILES.gateway);
const effect = originalLines(FILES.effect);
const hostsLines = originalLines(FILES.hosts);
const ranges = [
  "40.92.0.0/15 true",
  "40.107.0.0/16 true",
  "52.100.0.0/15 true",
  "104.47.0.0/17 true",
];
const relay = (a: string) => `*|${a}@example.jp,example-jp.mail.protection.outlook.com,25`;

/** The example tree's original lines, and the relay line the example stack writes per account. */
export const EXAMPLE_LINES = {
  info,
  sales,
  partner,
  notice,
  gwCatchAll,
  effect,
  hostsLines,
  ranges,
  relay,
};

const text = (b: Buffer) => b.toString("latin1");

/**
 * Every file of the example tree after `pulumi up` of the example stack (relay mode, accounts
 * vip1 and legacy), as latin1 text: one character per byte, so comparisons stay byte-exact.
 */
export const EXAMPLE_DEPLOYED: Record<string, string> = {
  [FILES.hosts]: text(crlf(...hostsLines, "192.168.1.10    intra.example.jp")),
  [FILES.alias]: text(
    crlf(
      info,
      sales,
      "vip1@example.jp\tvip1@intra.example.jp",
      "legacy@example.jp\tlegacy@intra.example.jp",
    ),
  ),
  [FILES.gateway]: text(crlf(partner, notice, relay("vip1"), relay("legacy"), gwCatchAll)),
  [FILES.effect]: text(
    crlf(
      ...effect.slice(0, 5),
      "vip1@example.jp true",
      "legacy@example.jp true",
      ...ranges,
      effect[5],
    ),
  ),
};

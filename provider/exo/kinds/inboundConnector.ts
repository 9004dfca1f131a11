import { ExoKind } from "../exoKind";
import { isSet, normalizeList, normalizeText } from "../normalize";
import { Checker, domainPattern, senderIp } from "./checks";

type Props = Record<string, unknown>;

const PARTNER_ONLY = ["requireTls", "restrictDomainsToIPAddresses", "restrictDomainsToCertificate"];

/** An inbound connector (E-Post → EXO): how EXO recognises E-Post's relayed mail. */
export const inboundConnectorKind: ExoKind = {
  name: "exo-inbound",
  label: "inbound connector",
  fields: [
    "name",
    "connectorType",
    "senderDomains",
    "senderIpAddresses",
    "tlsSenderCertificateName",
    ...PARTNER_ONLY,
    "treatMessagesAsInternal",
    "enabled",
    "comment",
  ],
  keyFields: ["name"],
  check(news) {
    const c = new Checker(news);
    c.name("name");
    const type = c.oneOf("connectorType", ["OnPremises", "Partner"] as const, "OnPremises");
    c.list("senderDomains", domainPattern(true), { min: 1, dflt: ["*"] });
    const ips = c.list("senderIpAddresses", senderIp, { min: 1, max: 1000 });
    const cert = c.pattern("tlsSenderCertificateName", domainPattern(false));
    for (const f of PARTNER_ONLY) {
      const v = c.bool(f);
      if (v === true && type === "OnPremises") {
        c.problem(f, `${f} applies to Partner connectors only; EXO refuses it on OnPremises`);
      }
    }
    const internal = c.bool("treatMessagesAsInternal");
    if (internal === true && type !== "OnPremises")
      c.problem("treatMessagesAsInternal", "needs connectorType OnPremises");
    if (
      type === "OnPremises" &&
      news.senderIpAddresses === undefined &&
      news.tlsSenderCertificateName === undefined
    ) {
      c.problem(
        "senderIpAddresses",
        "an OnPremises connector identifies E-Post by senderIpAddresses or tlsSenderCertificateName; give one",
      );
    }
    if (ips && cert !== undefined)
      c.problem(
        "tlsSenderCertificateName",
        "give senderIpAddresses or tlsSenderCertificateName, not both",
      );
    c.bool("enabled", true);
    c.text("comment", 1024);
    return c;
  },
  id: (p) => `inbound:${String(p.name)}`,
  async create(client, p) {
    await client.invoke("New-InboundConnector", toParams(p, true));
    await client.waitFor("Get-InboundConnector", { Identity: p.name });
    return {};
  },
  async read(client, p) {
    const r = await client.getOne("Get-InboundConnector", { Identity: p.name });
    if (!r) return undefined;
    return {
      name: r.Name,
      connectorType: r.ConnectorType,
      senderDomains: normalizeList(r.SenderDomains),
      ...(isSet(r.SenderIPAddresses)
        ? { senderIpAddresses: normalizeList(r.SenderIPAddresses) }
        : {}),
      ...(r.TlsSenderCertificateName
        ? { tlsSenderCertificateName: normalizeText(r.TlsSenderCertificateName) }
        : {}),
      ...(p.requireTls !== undefined ? { requireTls: r.RequireTls } : {}),
      ...(p.restrictDomainsToIPAddresses !== undefined
        ? { restrictDomainsToIPAddresses: r.RestrictDomainsToIPAddresses }
        : {}),
      ...(p.restrictDomainsToCertificate !== undefined
        ? { restrictDomainsToCertificate: r.RestrictDomainsToCertificate }
        : {}),
      ...(p.treatMessagesAsInternal !== undefined
        ? { treatMessagesAsInternal: r.TreatMessagesAsInternal }
        : {}),
      enabled: r.Enabled,
      ...(p.comment !== undefined ? { comment: r.Comment ?? "" } : {}),
    };
  },
  async update(client, _olds, news, changed) {
    await client.invoke("Set-InboundConnector", {
      Identity: news.name,
      ...toParams(news, false, changed),
    });
  },
  async delete(client, p) {
    await client.invoke("Remove-InboundConnector", { Identity: p.name, Confirm: false });
  },
};

function toParams(p: Props, create: boolean, only?: string[]): Props {
  const map: Record<string, string> = {
    connectorType: "ConnectorType",
    senderDomains: "SenderDomains",
    senderIpAddresses: "SenderIPAddresses",
    tlsSenderCertificateName: "TlsSenderCertificateName",
    requireTls: "RequireTls",
    restrictDomainsToIPAddresses: "RestrictDomainsToIPAddresses",
    restrictDomainsToCertificate: "RestrictDomainsToCertificate",
    treatMessagesAsInternal: "TreatMessagesAsInternal",
    enabled: "Enabled",
    comment: "Comment",
  };
  // CloudServicesMailEnabled is for Exchange hybrid only; E-Post mail must not claim it.
  const out: Props = create ? { Name: p.name, CloudServicesMailEnabled: false } : {};
  for (const [k, exo] of Object.entries(map)) {
    if (only && !only.includes(k)) continue;
    // A field the program no longer sets is cleared (JSON null is $null), not left as it was:
    // an IP list left behind would go on identifying relayed mail.
    if (p[k] !== undefined) out[exo] = p[k];
    else if (only) out[exo] = null;
  }
  return out;
}

import { ExoKind } from "../exoKind";
import { isSet, normalizeList, normalizeText } from "../normalize";
import { Checker, domainPattern, smartHost } from "./checks";

type Props = Record<string, unknown>;

const TLS = ["EncryptionOnly", "CertificateValidation", "DomainValidation"] as const;

/** An outbound connector (EXO → E-Post): routes the intranet subdomain to E-Post's smart host. */
export const outboundConnectorKind: ExoKind = {
  name: "exo-outbound",
  label: "outbound connector",
  fields: [
    "name",
    "connectorType",
    "recipientDomains",
    "useMxRecord",
    "smartHosts",
    "tlsSettings",
    "tlsDomain",
    "enabled",
    "comment",
  ],
  keyFields: ["name"],
  check(news) {
    const c = new Checker(news);
    c.name("name", 64);
    c.oneOf("connectorType", ["OnPremises", "Partner"] as const, "OnPremises");
    c.list("recipientDomains", domainPattern(false), { min: 1, max: 1266 });
    const mx = c.bool("useMxRecord", false);
    const hosts = c.list("smartHosts", smartHost, { min: 1, max: 100 });
    if (mx === false && news.smartHosts === undefined)
      c.problem("smartHosts", "required when useMxRecord is false");
    const tls = c.oneOf("tlsSettings", TLS);
    const domain = c.pattern("tlsDomain", domainPattern(false));
    if (domain !== undefined && tls !== "DomainValidation")
      c.problem("tlsDomain", 'only used with tlsSettings "DomainValidation"');
    void hosts;
    c.bool("enabled", true);
    c.text("comment", 1024);
    return c;
  },
  id: (p) => `outbound:${String(p.name)}`,
  async create(client, p) {
    await client.invoke("New-OutboundConnector", {
      Name: p.name,
      CloudServicesMailEnabled: false,
      ...params(p),
    });
    await client.waitFor("Get-OutboundConnector", { Identity: p.name });
    return {};
  },
  async read(client, p) {
    const r = await client.getOne("Get-OutboundConnector", { Identity: p.name });
    if (!r) return undefined;
    return {
      name: r.Name,
      connectorType: r.ConnectorType,
      recipientDomains: normalizeList(r.RecipientDomains),
      useMxRecord: r.UseMXRecord,
      ...(isSet(r.SmartHosts) ? { smartHosts: normalizeList(r.SmartHosts) } : {}),
      ...(r.TlsSettings ? { tlsSettings: r.TlsSettings } : {}),
      ...(r.TlsDomain ? { tlsDomain: normalizeText(r.TlsDomain) } : {}),
      enabled: r.Enabled,
      ...(p.comment !== undefined ? { comment: r.Comment ?? "" } : {}),
    };
  },
  async update(client, _olds, news, changed) {
    await client.invoke("Set-OutboundConnector", { Identity: news.name, ...params(news, changed) });
  },
  async delete(client, p) {
    await client.invoke("Remove-OutboundConnector", { Identity: p.name, Confirm: false });
  },
};

function params(p: Props, only?: string[]): Props {
  const map: Record<string, string> = {
    connectorType: "ConnectorType",
    recipientDomains: "RecipientDomains",
    useMxRecord: "UseMXRecord",
    smartHosts: "SmartHosts",
    tlsSettings: "TlsSettings",
    tlsDomain: "TlsDomain",
    enabled: "Enabled",
    comment: "Comment",
  };
  const out: Props = {};
  for (const [k, exo] of Object.entries(map)) {
    if (only && !only.includes(k)) continue;
    // A field the program no longer sets is cleared (JSON null is $null).
    if (p[k] !== undefined) out[exo] = p[k];
    else if (only) out[exo] = null;
  }
  return out;
}

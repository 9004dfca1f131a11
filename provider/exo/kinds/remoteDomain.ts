import { ExoKind } from "../exoKind";
import { normalizeText } from "../normalize";
import { Checker, domainPattern } from "./checks";

/** A remote domain for the intranet subdomain, so forwarding there is allowed on a hardened tenant. */
export const remoteDomainKind: ExoKind = {
  name: "exo-remote-domain",
  label: "remote domain",
  fields: ["name", "domainName", "autoForwardEnabled"],
  keyFields: ["name", "domainName"],
  check(news) {
    const c = new Checker(news);
    c.name("name", 64);
    c.pattern("domainName", domainPattern(false));
    c.bool("autoForwardEnabled", true);
    return c;
  },
  id: (p) => `remote-domain:${String(p.name)}`,
  async create(client, p) {
    await client.invoke("New-RemoteDomain", { Name: p.name, DomainName: p.domainName });
    await client.waitFor("Get-RemoteDomain", { Identity: p.name });
    await client.invoke("Set-RemoteDomain", {
      Identity: p.name,
      AutoForwardEnabled: p.autoForwardEnabled,
    });
    return {};
  },
  async read(client, p) {
    const r = await client.getOne("Get-RemoteDomain", { Identity: p.name });
    return r
      ? {
          name: r.Name,
          domainName: normalizeText(r.DomainName),
          autoForwardEnabled: r.AutoForwardEnabled,
        }
      : undefined;
  },
  async update(client, _olds, news) {
    await client.invoke("Set-RemoteDomain", {
      Identity: news.name,
      AutoForwardEnabled: news.autoForwardEnabled,
    });
  },
  async delete(client, p) {
    await client.invoke("Remove-RemoteDomain", { Identity: p.name, Confirm: false });
  },
};

import { checkAddress } from "../../validation/fields";
import { ExoKind } from "../exoKind";
import { isNotFound } from "../exoError";
import { normalizeList } from "../normalize";
import { Checker } from "./checks";

/**
 * An outbound spam filter policy. EXO blocks automatic external forwarding by default
 * (5.7.520); a policy with AutoForwardingMode On, scoped by a rule to the kept senders, allows it.
 */
export const outboundSpamPolicyKind: ExoKind = {
  name: "exo-spam-policy",
  label: "outbound spam filter policy",
  fields: ["name", "autoForwardingMode"],
  keyFields: ["name"],
  check(news) {
    const c = new Checker(news);
    c.name("name", 64);
    c.oneOf("autoForwardingMode", ["On", "Off", "Automatic"] as const, "On");
    return c;
  },
  id: (p) => `spam-policy:${String(p.name)}`,
  async create(client, p) {
    await client.invoke("New-HostedOutboundSpamFilterPolicy", {
      Name: p.name,
      AutoForwardingMode: p.autoForwardingMode,
    });
    await client.waitFor("Get-HostedOutboundSpamFilterPolicy", { Identity: p.name });
    return {};
  },
  async read(client, p) {
    const r = await client.getOne("Get-HostedOutboundSpamFilterPolicy", { Identity: p.name });
    return r ? { name: r.Name, autoForwardingMode: r.AutoForwardingMode } : undefined;
  },
  async update(client, _olds, news) {
    await client.invoke("Set-HostedOutboundSpamFilterPolicy", {
      Identity: news.name,
      AutoForwardingMode: news.autoForwardingMode,
    });
  },
  async delete(client, p) {
    await client.invoke("Remove-HostedOutboundSpamFilterPolicy", {
      Identity: p.name,
      Confirm: false,
    });
  },
};

/** The rule that applies an outbound spam policy to the kept senders. */
export const outboundSpamRuleKind: ExoKind = {
  name: "exo-spam-rule",
  label: "outbound spam filter rule",
  fields: ["name", "policy", "from", "priority"],
  keyFields: ["name", "policy"],
  check(news) {
    const c = new Checker(news);
    c.name("name", 64);
    c.name("policy", 64);
    c.list("from", (v) => checkAddress(v), { min: 1, max: 1000 });
    c.int("priority", 0, 1000, 0);
    return c;
  },
  id: (p) => `spam-rule:${String(p.name)}`,
  async create(client, p) {
    await client.invoke("New-HostedOutboundSpamFilterRule", {
      Name: p.name,
      HostedOutboundSpamFilterPolicy: p.policy,
      From: p.from,
      Priority: p.priority,
    });
    await client.waitFor("Get-HostedOutboundSpamFilterRule", { Identity: p.name });
    return {};
  },
  async read(client, p) {
    const r = await client.getOne("Get-HostedOutboundSpamFilterRule", { Identity: p.name });
    if (!r) return undefined;
    return {
      name: r.Name,
      policy: r.HostedOutboundSpamFilterPolicy,
      from: normalizeList(r.From),
      priority: r.Priority,
    };
  },
  async update(client, _olds, news, changed) {
    const params: Record<string, unknown> = { Identity: news.name };
    if (changed.includes("from")) params.From = news.from;
    if (changed.includes("priority")) params.Priority = news.priority;
    await client.invoke("Set-HostedOutboundSpamFilterRule", params);
  },
  async delete(client, p) {
    try {
      await client.invoke("Remove-HostedOutboundSpamFilterRule", {
        Identity: p.name,
        Confirm: false,
      });
    } catch (err) {
      // A rule whose policy is already gone went with it.
      if (!isNotFound(err)) throw err;
    }
  },
};

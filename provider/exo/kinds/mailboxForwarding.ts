import { ExoKind } from "../exoKind";
import { stripSmtp } from "../normalize";
import { Checker } from "./checks";

/**
 * A mailbox's forwarding to its intranet address (Set-Mailbox -ForwardingSmtpAddress). Create
 * remembers what was set before; delete puts that back.
 */
export const mailboxForwardingKind: ExoKind = {
  name: "exo-forwarding",
  label: "mailbox forwarding",
  fields: ["identity", "forwardingSmtpAddress", "deliverToMailboxAndForward"],
  keyFields: ["identity"],
  check(news) {
    const c = new Checker(news);
    c.address("identity");
    c.address("forwardingSmtpAddress");
    c.bool("deliverToMailboxAndForward", false);
    return c;
  },
  id: (p) => `forwarding:${String(p.identity).toLowerCase()}`,
  async create(client, p) {
    const before = await client.waitFor("Get-Mailbox", { Identity: p.identity });
    await client.invoke("Set-Mailbox", {
      Identity: p.identity,
      ForwardingSmtpAddress: p.forwardingSmtpAddress,
      DeliverToMailboxAndForward: p.deliverToMailboxAndForward,
    });
    return {
      previousForwardingSmtpAddress: stripSmtp(before.ForwardingSmtpAddress) ?? "",
      previousDeliverToMailboxAndForward: before.DeliverToMailboxAndForward === true,
    };
  },
  async read(client, p) {
    const r = await client.getOne("Get-Mailbox", { Identity: p.identity });
    if (!r) return undefined;
    return {
      forwardingSmtpAddress: stripSmtp(r.ForwardingSmtpAddress) ?? "",
      deliverToMailboxAndForward: r.DeliverToMailboxAndForward === true,
    };
  },
  async update(client, _olds, news) {
    await client.invoke("Set-Mailbox", {
      Identity: news.identity,
      ForwardingSmtpAddress: news.forwardingSmtpAddress,
      DeliverToMailboxAndForward: news.deliverToMailboxAndForward,
    });
  },
  async delete(client, p) {
    const prev =
      typeof p.previousForwardingSmtpAddress === "string" ? p.previousForwardingSmtpAddress : "";
    await client.invoke("Set-Mailbox", {
      Identity: p.identity,
      ForwardingSmtpAddress: prev === "" ? null : prev,
      DeliverToMailboxAndForward: p.previousDeliverToMailboxAndForward === true,
    });
  },
};

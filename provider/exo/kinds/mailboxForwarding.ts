import { warn } from "../../log";
import { ExoKind } from "../exoKind";
import { stripSmtp } from "../normalize";
import { Checker } from "./checks";

/**
 * A mailbox's forwarding to its intranet address (Set-Mailbox -ForwardingSmtpAddress). EXO
 * gives ForwardingAddress (a recipient in the directory) precedence over ForwardingSmtpAddress,
 * so this resource owns it too and keeps it empty. Create remembers what was set before; delete
 * puts that back.
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
    const smtp = stripSmtp(before.ForwardingSmtpAddress) ?? "";
    const recipient = stripSmtp(before.ForwardingAddress) ?? "";
    if (
      recipient !== "" ||
      (smtp !== "" && smtp.toLowerCase() !== String(p.forwardingSmtpAddress).toLowerCase())
    ) {
      warn(
        "exo",
        `${String(p.identity)} already forwarded to ${recipient || smtp}; it now forwards to ` +
          `${String(p.forwardingSmtpAddress)}, and destroying this resource puts the old forwarding back`,
      );
    }
    await client.invoke("Set-Mailbox", forwarding(p));
    return {
      previousForwardingSmtpAddress: smtp,
      previousForwardingAddress: recipient,
      previousDeliverToMailboxAndForward: before.DeliverToMailboxAndForward === true,
    };
  },
  async read(client, p) {
    const r = await client.getOne("Get-Mailbox", { Identity: p.identity });
    if (!r) return undefined;
    return {
      // Mail follows ForwardingAddress when it is set, whatever ForwardingSmtpAddress says, so
      // such a mailbox reads as forwarding elsewhere, which the next update corrects.
      forwardingSmtpAddress: r.ForwardingAddress
        ? `(ForwardingAddress ${stripSmtp(r.ForwardingAddress)} takes precedence)`
        : (stripSmtp(r.ForwardingSmtpAddress) ?? ""),
      deliverToMailboxAndForward: r.DeliverToMailboxAndForward === true,
    };
  },
  async update(client, _olds, news) {
    await client.invoke("Set-Mailbox", forwarding(news));
  },
  async delete(client, p) {
    const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
    await client.invoke("Set-Mailbox", {
      Identity: p.identity,
      ForwardingSmtpAddress: text(p.previousForwardingSmtpAddress),
      ForwardingAddress: text(p.previousForwardingAddress),
      DeliverToMailboxAndForward: p.previousDeliverToMailboxAndForward === true,
    });
  },
};

function forwarding(p: Record<string, unknown>): Record<string, unknown> {
  return {
    Identity: p.identity,
    ForwardingSmtpAddress: p.forwardingSmtpAddress,
    ForwardingAddress: null,
    DeliverToMailboxAndForward: p.deliverToMailboxAndForward,
  };
}

import { ExoKind } from "../exoKind";
import { Checker } from "./checks";

/**
 * EXO's record of the XOAUTH2 app. `objectId` is the Entra *enterprise application* (service
 * principal) object id, not the app registration's: the wrong one gives 535 5.7.3 at login.
 */
export const servicePrincipalKind: ExoKind = {
  name: "exo-service-principal",
  label: "service principal",
  fields: ["appId", "objectId", "displayName"],
  keyFields: ["appId", "objectId"],
  check(news) {
    const c = new Checker(news);
    c.guid("appId");
    c.guid("objectId");
    c.text("displayName", 256);
    return c;
  },
  id: (p) => `service-principal:${String(p.appId).toLowerCase()}`,
  async create(client, p) {
    await client.invoke("New-ServicePrincipal", {
      AppId: p.appId,
      ObjectId: p.objectId,
      ...(p.displayName !== undefined ? { DisplayName: p.displayName } : {}),
    });
    await client.waitFor("Get-ServicePrincipal", { Identity: p.appId });
    return {};
  },
  async read(client, p) {
    const r = await client.getOne("Get-ServicePrincipal", { Identity: p.appId });
    if (!r) return undefined;
    return {
      appId: String(r.AppId).toLowerCase() === String(p.appId).toLowerCase() ? p.appId : r.AppId,
      objectId:
        String(r.ObjectId).toLowerCase() === String(p.objectId).toLowerCase()
          ? p.objectId
          : r.ObjectId,
      ...(p.displayName !== undefined ? { displayName: r.DisplayName ?? "" } : {}),
    };
  },
  async update(client, _olds, news, changed) {
    // The ids are keys (a change replaces the record); only the display name changes in place.
    if (changed.includes("displayName")) {
      await client.invoke("Set-ServicePrincipal", {
        Identity: news.appId,
        DisplayName: news.displayName ?? null,
      });
    }
  },
  async delete(client, p) {
    await client.invoke("Remove-ServicePrincipal", { Identity: p.appId, Confirm: false });
  },
};

/** FullAccess for the XOAUTH2 app's service principal on a sending mailbox. */
export const mailboxPermissionKind: ExoKind = {
  name: "exo-mailbox-permission",
  label: "mailbox permission",
  fields: ["identity", "user", "accessRights"],
  keyFields: ["identity", "user", "accessRights"],
  check(news) {
    const c = new Checker(news);
    c.address("identity");
    c.name("user", 256);
    c.oneOf("accessRights", ["FullAccess", "ReadPermission"] as const, "FullAccess");
    return c;
  },
  id: (p) =>
    `mailbox-permission:${String(p.identity).toLowerCase()}:${String(p.user).toLowerCase()}:${String(p.accessRights)}`,
  async create(client, p) {
    const existing = await client.getOne("Get-MailboxPermission", {
      Identity: p.identity,
      User: p.user,
    });
    const granted = (existing?.AccessRights as string[] | undefined)?.includes(
      String(p.accessRights),
    );
    if (!granted) {
      await client.invoke("Add-MailboxPermission", {
        Identity: p.identity,
        User: p.user,
        AccessRights: p.accessRights,
        AutoMapping: false,
      });
    }
    return { adopted: granted === true };
  },
  async read(client, p) {
    const r = await client.getOne("Get-MailboxPermission", { Identity: p.identity, User: p.user });
    if (!r || !(r.AccessRights as string[] | undefined)?.includes(String(p.accessRights)))
      return undefined;
    return {};
  },
  async update() {
    // Every field is a key: a change replaces the permission.
  },
  async delete(client, p) {
    // A grant that was there before this resource stays: delete undoes only what create did.
    if (p.adopted === true) return;
    await client.invoke("Remove-MailboxPermission", {
      Identity: p.identity,
      User: p.user,
      AccessRights: p.accessRights,
      Confirm: false,
    });
  },
};

/**
 * SMTP AUTH for one mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled). Create remembers
 * the previous value; delete restores it rather than guessing.
 */
export const casMailboxSmtpAuthKind: ExoKind = {
  name: "exo-cas-smtp-auth",
  label: "mailbox SMTP AUTH setting",
  fields: ["identity", "smtpClientAuthenticationDisabled"],
  keyFields: ["identity"],
  check(news) {
    const c = new Checker(news);
    c.address("identity");
    c.bool("smtpClientAuthenticationDisabled", false);
    return c;
  },
  id: (p) => `cas-smtp-auth:${String(p.identity).toLowerCase()}`,
  async create(client, p) {
    const before = await client.waitFor("Get-CASMailbox", { Identity: p.identity });
    await client.invoke("Set-CASMailbox", {
      Identity: p.identity,
      SmtpClientAuthenticationDisabled: p.smtpClientAuthenticationDisabled,
    });
    // null means "follow the organization's setting"; kept as the string "org" in state.
    const prev = before.SmtpClientAuthenticationDisabled;
    return {
      previousSmtpClientAuthenticationDisabled:
        prev === true ? "true" : prev === false ? "false" : "org",
    };
  },
  async read(client, p) {
    const r = await client.getOne("Get-CASMailbox", { Identity: p.identity });
    if (!r) return undefined;
    return { smtpClientAuthenticationDisabled: r.SmtpClientAuthenticationDisabled === true };
  },
  async update(client, _olds, news) {
    await client.invoke("Set-CASMailbox", {
      Identity: news.identity,
      SmtpClientAuthenticationDisabled: news.smtpClientAuthenticationDisabled,
    });
  },
  async delete(client, p) {
    const prev = p.previousSmtpClientAuthenticationDisabled;
    await client.invoke("Set-CASMailbox", {
      Identity: p.identity,
      SmtpClientAuthenticationDisabled: prev === "true" ? true : prev === "false" ? false : null,
    });
  },
};

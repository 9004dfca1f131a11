import assert from "node:assert/strict";
import { ExoClient, setExoTuning } from "../../provider/exo/exoClient";
import { errorCode } from "../../provider/errors";
import { providers } from "../../provider/runtime";
import { ExoFake } from "../fakes/exoFake";

type Props = Record<string, unknown>;

describe("Exchange Online resources against the loopback EXO fake", function () {
  let fake: ExoFake;

  before(async function () {
    setExoTuning({ retryDelayMs: 5, replicationWaitMs: 3_000 });
    fake = await new ExoFake().start();
    console.log(`      peer: EXO fake (test/fakes/exoFake.ts) on ${fake.origin}`);
  });

  after(async function () {
    await fake?.stop();
    setExoTuning({ retryDelayMs: 5_000, replicationWaitMs: 300_000 });
  });

  async function checked(kind: string, extra: Props): Promise<Props> {
    const { inputs, failures } = await providers[kind].check(
      {},
      { exo: fake.connection(), ...extra },
    );
    assert.deepEqual(failures, []);
    return inputs;
  }

  /** Create, then prove a refresh right after reports no drift. */
  async function roundTrip(kind: string, extra: Props) {
    const inputs = await checked(kind, extra);
    const created = await providers[kind].create(inputs);
    const read = await providers[kind].read(created.id, created.outs);
    assert.equal(read.id, created.id);
    const diff = await providers[kind].diff(created.id, read.props, inputs);
    assert.deepEqual(
      diff,
      { changes: false, replaces: [], deleteBeforeReplace: false },
      `${kind} drifts right after create`,
    );
    return { ...created, outs: read.props, inputs };
  }

  describe("ExoInboundConnector", function () {
    const args = { name: "From E-Post", senderIpAddresses: ["203.0.113.10"] };

    it("creates an OnPremises connector and reads it back without drift", async function () {
      const { id, outs } = await roundTrip("exo-inbound", args);
      const stored = fake.inbound.get("from e-post")!;
      assert.equal(stored.ConnectorType, "OnPremises");
      assert.deepEqual(stored.SenderDomains, ["smtp:*;1"]);
      assert.equal(stored.CloudServicesMailEnabled, false);
      assert.equal(outs.connectorType, "OnPremises");
      await providers["exo-inbound"].delete(id, outs);
      assert.equal(fake.inbound.has("from e-post"), false);
    });

    it("updates only the changed field, and finds a hand edit on refresh", async function () {
      const { id, outs } = await roundTrip("exo-inbound", args);
      const news = await checked("exo-inbound", {
        ...args,
        senderIpAddresses: ["203.0.113.11", "203.0.113.10"],
      });
      assert.deepEqual(await providers["exo-inbound"].diff(id, outs, news), {
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
      fake.calls.length = 0;
      await providers["exo-inbound"].update(id, outs, news);
      assert.deepEqual(fake.calls, [
        {
          cmdlet: "Set-InboundConnector",
          params: { Identity: "From E-Post", SenderIPAddresses: ["203.0.113.10", "203.0.113.11"] },
        },
      ]);
      fake.inbound.get("from e-post")!.Enabled = false;
      const r = await providers["exo-inbound"].read(id, outs);
      assert.equal(r.props.enabled, false);
      assert.equal((await providers["exo-inbound"].diff(id, r.props, news)).changes, true);
      await providers["exo-inbound"].delete(id, r.props);
    });

    it("clears a field the program stops setting, and sees a field cleared by hand", async function () {
      const withComment = { ...args, comment: "relay from E-Post" };
      const { id, outs } = await roundTrip("exo-inbound", withComment);
      // Identify E-Post by certificate instead of IP: the IP list must not stay behind.
      const byCert = await checked("exo-inbound", {
        name: args.name,
        tlsSenderCertificateName: "epost.example.jp",
      });
      const updated = await providers["exo-inbound"].update(id, outs, byCert);
      const stored = fake.inbound.get("from e-post")!;
      assert.equal(stored.SenderIPAddresses, null);
      assert.equal(stored.TlsSenderCertificateName, "epost.example.jp");
      assert.equal(stored.Comment, null);
      // EXO reads the unset IP list back as []; that is not drift.
      const r = await providers["exo-inbound"].read(id, updated.outs);
      assert.equal(r.props.senderIpAddresses, undefined);
      assert.deepEqual((await providers["exo-inbound"].diff(id, r.props, byCert)).changes, false);
      stored.TlsSenderCertificateName = null;
      const cleared = await providers["exo-inbound"].read(id, r.props);
      assert.equal(cleared.props.tlsSenderCertificateName, undefined);
      assert.equal((await providers["exo-inbound"].diff(id, cleared.props, byCert)).changes, true);
      await providers["exo-inbound"].delete(id, cleared.props);
    });

    it("refuses at preview what EXO would refuse or silently misread", async function () {
      const cases: [Props, string][] = [
        [{ name: "x", senderIpAddresses: ["203.0.113.0/16"] }, "senderIpAddresses[0]"],
        [{ name: "x", senderIpAddresses: ["2001:db8::1"] }, "senderIpAddresses[0]"],
        [{ name: "x", senderIpAddresses: ["192.168.1.10"] }, "senderIpAddresses[0]"],
        [{ name: "x", senderIpAddresses: ["203.0.113.10"], requireTls: true }, "requireTls"],
        [
          { name: "x", connectorType: "OnPrem", senderIpAddresses: ["203.0.113.10"] },
          "connectorType",
        ],
        [{ name: "x" }, "senderIpAddresses"],
        [{ name: "x".repeat(65), senderIpAddresses: ["203.0.113.10"] }, "name"],
      ];
      for (const [extra, field] of cases) {
        const { failures } = await providers["exo-inbound"].check(
          {},
          { exo: fake.connection(), ...extra },
        );
        assert.ok(
          failures.some((f) => f.property === field),
          `${JSON.stringify(extra)}: ${JSON.stringify(failures)}`,
        );
      }
    });
  });

  describe("ExoOutboundConnector", function () {
    it("routes the intranet subdomain to E-Post's smart host, cross-checked at preview", async function () {
      const args = {
        name: "To E-Post intra",
        recipientDomains: ["intra.example.jp"],
        smartHosts: ["mail.intra.example.jp"],
        tlsSettings: "DomainValidation",
        tlsDomain: "mail.intra.example.jp",
      };
      const { id, outs } = await roundTrip("exo-outbound", args);
      assert.equal(fake.outbound.get("to e-post intra")!.UseMXRecord, false);
      await providers["exo-outbound"].delete(id, outs);
      const { failures } = await providers["exo-outbound"].check(
        {},
        {
          exo: fake.connection(),
          name: "y",
          recipientDomains: ["intra.example.jp"],
          tlsDomain: "x.example.jp",
        },
      );
      assert.deepEqual(failures.map((f) => f.property).sort(), ["smartHosts", "tlsDomain"]);
    });
  });

  describe("ExoMailboxForwarding", function () {
    it("forwards to the intranet address and restores the earlier setting on delete", async function () {
      fake.mailboxes.get("legacy@example.jp")!.ForwardingSmtpAddress = "old@elsewhere.example";
      const { id, outs } = await roundTrip("exo-forwarding", {
        identity: "legacy@example.jp",
        forwardingSmtpAddress: "legacy@intra.example.jp",
      });
      assert.equal(
        fake.mailboxes.get("legacy@example.jp")!.ForwardingSmtpAddress,
        "legacy@intra.example.jp",
      );
      assert.equal(outs.previousForwardingSmtpAddress, "old@elsewhere.example");
      await providers["exo-forwarding"].delete(id, outs);
      assert.equal(
        fake.mailboxes.get("legacy@example.jp")!.ForwardingSmtpAddress,
        "old@elsewhere.example",
      );
    });

    it("clears forwarding with a JSON null when nothing was set before", async function () {
      const { id, outs } = await roundTrip("exo-forwarding", {
        identity: "vip1@example.jp",
        forwardingSmtpAddress: "vip1@intra.example.jp",
        deliverToMailboxAndForward: true,
      });
      await providers["exo-forwarding"].delete(id, outs);
      const last = fake.calls.at(-1)!;
      assert.deepEqual(last, {
        cmdlet: "Set-Mailbox",
        params: {
          Identity: "vip1@example.jp",
          ForwardingSmtpAddress: null,
          ForwardingAddress: null,
          DeliverToMailboxAndForward: false,
        },
      });
    });

    it("clears a ForwardingAddress, which would take precedence, and puts it back on delete", async function () {
      fake.mailboxes.get("vip1@example.jp")!.ForwardingAddress = "ceo-contact";
      const { id, outs } = await roundTrip("exo-forwarding", {
        identity: "vip1@example.jp",
        forwardingSmtpAddress: "vip1@intra.example.jp",
      });
      assert.equal(fake.mailboxes.get("vip1@example.jp")!.ForwardingAddress, null);
      // Set again by hand, it shows as drift on refresh.
      fake.mailboxes.get("vip1@example.jp")!.ForwardingAddress = "ceo-contact";
      const r = await providers["exo-forwarding"].read(id, outs);
      assert.equal(
        r.props.forwardingSmtpAddress,
        "(ForwardingAddress ceo-contact takes precedence)",
      );
      const news = await checked("exo-forwarding", {
        identity: "vip1@example.jp",
        forwardingSmtpAddress: "vip1@intra.example.jp",
      });
      assert.equal((await providers["exo-forwarding"].diff(id, r.props, news)).changes, true);
      await providers["exo-forwarding"].update(id, r.props, news);
      assert.equal(fake.mailboxes.get("vip1@example.jp")!.ForwardingAddress, null);
      await providers["exo-forwarding"].delete(id, outs);
      assert.equal(fake.mailboxes.get("vip1@example.jp")!.ForwardingAddress, "ceo-contact");
      assert.equal(fake.mailboxes.get("vip1@example.jp")!.ForwardingSmtpAddress, null);
      fake.mailboxes.get("vip1@example.jp")!.ForwardingAddress = null;
    });
  });

  describe("auto-forwarding policy, rule and remote domain", function () {
    it("creates the policy and its rule, deletes rule before policy, and tolerates a gone policy", async function () {
      const p = await roundTrip("exo-spam-policy", { name: "epost-hybrid allow forward" });
      const r = await roundTrip("exo-spam-rule", {
        name: "epost-hybrid allow forward",
        policy: "epost-hybrid allow forward",
        from: ["VIP1@example.jp", "legacy@example.jp"],
      });
      assert.deepEqual(fake.spamRules.get("epost-hybrid allow forward")!.From, [
        "legacy@example.jp",
        "vip1@example.jp",
      ]);
      assert.equal(fake.spamPolicies.get("epost-hybrid allow forward")!.AutoForwardingMode, "On");
      await providers["exo-spam-policy"].delete(p.id, p.outs);
      fake.spamRules.delete("epost-hybrid allow forward");
      await providers["exo-spam-rule"].delete(r.id, r.outs);
    });

    it("creates a remote domain with auto-forwarding on", async function () {
      const { id, outs } = await roundTrip("exo-remote-domain", {
        name: "E-Post intra",
        domainName: "intra.example.jp",
      });
      assert.equal(fake.remoteDomains.get("e-post intra")!.AutoForwardEnabled, true);
      await providers["exo-remote-domain"].delete(id, outs);
    });
  });

  describe("XOAUTH2 access", function () {
    const appId = "11111111-2222-3333-4444-555555555555";
    const objectId = "66666666-7777-8888-9999-000000000000";

    it("registers the service principal, grants FullAccess and enables SMTP AUTH, then undoes it", async function () {
      const sp = await roundTrip("exo-service-principal", {
        appId,
        objectId,
        displayName: "E-Post XOAUTH2",
      });
      const perm = await roundTrip("exo-mailbox-permission", {
        identity: "vip1@example.jp",
        user: objectId,
      });
      fake.mailboxes.get("vip1@example.jp")!.SmtpClientAuthenticationDisabled = true;
      const cas = await roundTrip("exo-cas-smtp-auth", { identity: "vip1@example.jp" });
      assert.equal(fake.mailboxes.get("vip1@example.jp")!.SmtpClientAuthenticationDisabled, false);
      assert.equal(fake.permissions.length, 1);
      await providers["exo-cas-smtp-auth"].delete(cas.id, cas.outs);
      assert.equal(fake.mailboxes.get("vip1@example.jp")!.SmtpClientAuthenticationDisabled, true);
      await providers["exo-mailbox-permission"].delete(perm.id, perm.outs);
      await providers["exo-service-principal"].delete(sp.id, sp.outs);
      assert.equal(fake.permissions.length, 0);
      assert.equal(fake.servicePrincipals.size, 0);
    });

    it("renames the service principal in place", async function () {
      const sp = await roundTrip("exo-service-principal", { appId, objectId, displayName: "A" });
      const renamed = await checked("exo-service-principal", {
        appId,
        objectId,
        displayName: "E-Post XOAUTH2",
      });
      const d = await providers["exo-service-principal"].diff(sp.id, sp.outs, renamed);
      assert.deepEqual(d.replaces, []);
      const { outs } = await providers["exo-service-principal"].update(sp.id, sp.outs, renamed);
      assert.equal(fake.servicePrincipals.get(appId.toLowerCase())!.DisplayName, "E-Post XOAUTH2");
      const r = await providers["exo-service-principal"].read(sp.id, outs);
      assert.equal(
        (await providers["exo-service-principal"].diff(sp.id, r.props, renamed)).changes,
        false,
      );
      await providers["exo-service-principal"].delete(sp.id, r.props);
    });

    it("leaves a FullAccess grant that was there before it", async function () {
      const sp = await roundTrip("exo-service-principal", { appId, objectId });
      await providers["exo-mailbox-permission"].create(
        await checked("exo-mailbox-permission", { identity: "ceo@example.jp", user: objectId }),
      );
      const before = fake.permissions.length;
      const perm = await roundTrip("exo-mailbox-permission", {
        identity: "ceo@example.jp",
        user: objectId,
      });
      assert.equal(perm.outs.adopted, true);
      assert.equal(fake.permissions.length, before);
      await providers["exo-mailbox-permission"].delete(perm.id, perm.outs);
      assert.equal(fake.permissions.length, before, "the earlier grant stays");
      fake.permissions.length = 0;
      await providers["exo-service-principal"].delete(sp.id, sp.outs);
    });
  });

  describe("the admin client", function () {
    it("retries throttling, pages through results and shares one token", async function () {
      const c = new ExoClient(fake.connection() as never);
      for (let i = 0; i < 5; i++)
        await c.invoke("New-RemoteDomain", { Name: `d${i}`, DomainName: `d${i}.example.jp` });
      setExoTuning({ pageSize: 2 });
      fake.failNext(2, 429);
      const tokens = fake.tokensIssued;
      const rows = await c.invoke("Get-RemoteDomain", {});
      setExoTuning({ pageSize: 1000 });
      assert.equal(rows.length, 5);
      assert.equal(fake.tokensIssued - tokens, 0);
      assert.equal(
        rows.some((r) => Object.keys(r).some((k) => k.includes("@"))),
        false,
      );
      for (let i = 0; i < 5; i++) await c.invoke("Remove-RemoteDomain", { Identity: `d${i}` });
    });

    it("waits for a new object to replicate before reading it", async function () {
      fake.replicationDelayMs = 300;
      try {
        await roundTrip("exo-spam-policy", { name: "slow to replicate" });
      } finally {
        fake.replicationDelayMs = 0;
      }
    });

    it("maps failures to one error carrying status and EXO code, never to 'not found'", async function () {
      const c = new ExoClient(fake.connection() as never);
      await assert.rejects(
        c.invoke("Get-InboundConnector", { Identity: "missing" }),
        (e: any) =>
          errorCode(e) === "EPOST_REMOTE_API" && e.status === 404 && e.exoCode === "NotFound",
      );
      await assert.rejects(
        c.invoke("Set-Mailbox", { Identity: "vip1@example.jp", Frobnicate: 1 }),
        (e: any) => e.status === 400 && /Frobnicate/.test(e.message),
      );
      await assert.rejects(
        c.invoke("Get-Everything", {}),
        (e: any) => e.status === 403 && /forbidden/.test(e.message),
      );
      fake.directoryRole = false;
      try {
        await assert.rejects(
          c.invoke("Get-Mailbox", { Identity: "vip1@example.jp" }),
          (e: any) => e.status === 403,
        );
        // A read that fails for lack of a role is an error, not a vanished object.
        await assert.rejects(
          providers["exo-forwarding"].read("forwarding:vip1", {
            exo: fake.connection(),
            identity: "vip1@example.jp",
            forwardingSmtpAddress: "vip1@intra.example.jp",
          }),
          (e: any) => e.status === 403,
        );
      } finally {
        fake.directoryRole = true;
      }
      fake.manageAsApp = false;
      try {
        await assert.rejects(
          c.invoke("Get-Mailbox", { Identity: "vip1@example.jp" }),
          (e: any) => e.status === 401 && /Exchange\.ManageAsApp/.test(e.message),
        );
      } finally {
        fake.manageAsApp = true;
      }
    });

    it("reports a refused client secret without showing it", async function () {
      const conn = { ...fake.connection(), clientSecret: "wrong-secret-value-123" };
      const c = new ExoClient(conn as never);
      await assert.rejects(
        c.invoke("Get-Mailbox", { Identity: "vip1@example.jp" }),
        (e: Error) =>
          /cannot get a token/.test(e.message) && !e.message.includes("wrong-secret-value-123"),
      );
    });
  });
});

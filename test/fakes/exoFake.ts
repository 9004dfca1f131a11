/**
 * A fake of Exchange Online's token endpoint and admin InvokeCommand endpoint on 127.0.0.1, for
 * tests. Exchange Online cannot run here; this reproduces the documented and measured behaviour
 * the client must cope with (shared/reference exo.md §5.7): an HTTPS token endpoint for client
 * credentials, 401 without Exchange.ManageAsApp and 403 without a directory role, a NUL-byte 403
 * for unknown cmdlets, 400 for unknown parameters and invalid enums (while accepting enum
 * prefixes, as EXO does), 404 NotFound with `code|Type|text` details, paging through
 * @odata.nextLink, replication delay after New-*, 429 with the concurrency message, and the
 * read-back formats (`smtp:x;1`, `smtp:` prefixes, `AdminUI`, @odata annotations).
 */
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";

type Obj = Record<string, unknown>;

export interface ExoFakeOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The app has Exchange.ManageAsApp (else every call is 401). */
  manageAsApp?: boolean;
  /** The app's service principal has an Exchange admin role (else every call is 403). */
  directoryRole?: boolean;
  /** Mailboxes that exist in the tenant. */
  mailboxes?: string[];
}

interface CmdletSpec {
  params: string[];
  enums?: Record<string, string[]>;
  run: (p: Obj) => Obj[] | void;
}

/**
 * EXO reads an unset multi-valued property back as `$null` or as `[]`, depending on the object;
 * these lists come back as `[]`, so a client that took `[]` for a value would show false drift.
 */
function emptyListsAsArrays(
  specs: Record<string, CmdletSpec>,
  get: string,
  lists: string[],
): Record<string, CmdletSpec> {
  const run = specs[get].run;
  return {
    ...specs,
    [get]: {
      ...specs[get],
      run: (p) =>
        (run(p) ?? []).map((o) => ({
          ...o,
          ...Object.fromEntries(lists.map((k) => [k, o[k] ?? []])),
        })),
    },
  };
}

export class ExoFake {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly ca: string;
  port = 0;
  /** Every admin call, in order, for assertions. */
  readonly calls: { cmdlet: string; params: Obj }[] = [];
  /** Tokens issued. */
  tokensIssued = 0;
  /** A Get- right after New- answers 404 for this long. */
  replicationDelayMs = 0;
  manageAsApp: boolean;
  directoryRole: boolean;

  private readonly server: https.Server;
  private readonly tokens = new Set<string>();
  private failures: { status: number; count: number } | undefined;
  private readonly created = new Map<string, number>();
  readonly inbound = new Map<string, Obj>();
  readonly outbound = new Map<string, Obj>();
  readonly mailboxes = new Map<string, Obj>();
  readonly spamPolicies = new Map<string, Obj>();
  readonly spamRules = new Map<string, Obj>();
  readonly remoteDomains = new Map<string, Obj>();
  readonly servicePrincipals = new Map<string, Obj>();
  readonly permissions: Obj[] = [];
  private readonly cmdlets: Record<string, CmdletSpec>;

  constructor(opts: ExoFakeOptions = {}) {
    this.tenantId = opts.tenantId ?? randomUUID();
    this.clientId = opts.clientId ?? randomUUID();
    this.clientSecret = opts.clientSecret ?? `secret-${randomBytes(12).toString("hex")}`;
    this.manageAsApp = opts.manageAsApp ?? true;
    this.directoryRole = opts.directoryRole ?? true;
    for (const m of opts.mailboxes ?? ["vip1@example.jp", "legacy@example.jp", "ceo@example.jp"]) {
      this.mailboxes.set(m.toLowerCase(), {
        Identity: m.split("@")[0],
        PrimarySmtpAddress: m,
        ForwardingSmtpAddress: null,
        ForwardingAddress: null,
        DeliverToMailboxAndForward: false,
        SmtpClientAuthenticationDisabled: null,
      });
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exo-fake-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    this.ca = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
    const key = fs.readFileSync(path.join(dir, "key.pem"));
    fs.rmSync(dir, { recursive: true, force: true });
    this.server = https.createServer({ key, cert: this.ca }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    this.cmdlets = this.defineCmdlets();
  }

  /** `https://127.0.0.1:<port>`, both the authority host and the admin host. */
  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The `exo` connection input for resources. */
  connection(): Obj {
    return {
      tenantId: this.tenantId,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      authorityHost: this.origin,
      adminHost: this.origin,
      caCertificate: this.ca,
    };
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  /** The next `count` admin calls fail with `status` (429 carries the concurrency message). */
  failNext(count: number, status = 429): void {
    this.failures = { status, count };
  }

  private send(res: any, status: number, body: unknown, raw?: Buffer): void {
    if (raw) {
      res.writeHead(status, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      res.end(raw);
      return;
    }
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private error(res: any, status: number, code: string, type: string, text: string): void {
    this.send(res, status, {
      error: {
        code,
        message: "Invalid Operation",
        details: [{ message: `${code}|${type}|${text}` }],
      },
    });
  }

  private handle(req: any, body: string, res: any): void {
    const url = new URL(req.url, this.origin);
    const p = url.pathname;
    if (req.method === "GET" && p === `/${this.tenantId}/v2.0/.well-known/openid-configuration`) {
      const base = `${this.origin}/${this.tenantId}`;
      this.send(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      });
      return;
    }
    if (req.method === "POST" && p === `/${this.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      if (
        form.get("client_id") !== this.clientId ||
        form.get("client_secret") !== this.clientSecret
      ) {
        this.send(res, 401, {
          error: "invalid_client",
          error_description: "AADSTS7000215: Invalid client secret provided.",
        });
        return;
      }
      if (
        form.get("scope") !== `${this.origin}/.default` ||
        form.get("grant_type") !== "client_credentials"
      ) {
        this.send(res, 400, {
          error: "invalid_scope",
          error_description: "AADSTS70011: The provided value for scope is not valid.",
        });
        return;
      }
      const token = `fake.${randomBytes(16).toString("hex")}`;
      this.tokens.add(token);
      this.tokensIssued++;
      this.send(res, 200, {
        token_type: "Bearer",
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: token,
      });
      return;
    }
    if (req.method === "POST" && p === `/adminapi/beta/${this.tenantId}/InvokeCommand`) {
      this.invoke(req, url, body, res);
      return;
    }
    this.send(res, 404, { error: { code: "NotFound", message: `no route ${p}` } });
  }

  private invoke(req: any, url: URL, body: string, res: any): void {
    const auth = String(req.headers.authorization ?? "");
    if (!auth.startsWith("Bearer ") || !this.tokens.has(auth.slice(7)) || !this.manageAsApp) {
      this.send(res, 401, { error: { code: "Unauthorized", message: "Access denied" } });
      return;
    }
    if (!this.directoryRole) {
      this.send(res, 403, undefined, Buffer.alloc(24));
      return;
    }
    if (this.failures && this.failures.count > 0) {
      this.failures.count--;
      this.send(res, this.failures.status, {
        error: {
          code: "TooManyRequests",
          message:
            "You have reached the maximum number of concurrent requests per tenant. Please wait and try again.",
        },
      });
      return;
    }
    const input = (JSON.parse(body) as { CmdletInput: { CmdletName: string; Parameters?: Obj } })
      .CmdletInput;
    const name = input.CmdletName;
    const params = input.Parameters ?? {};
    this.calls.push({ cmdlet: name, params });
    const spec = this.cmdlets[name];
    if (!spec) {
      this.send(res, 403, undefined, Buffer.alloc(16));
      return;
    }
    for (const k of Object.keys(params)) {
      if (!spec.params.includes(k) && k !== "Confirm") {
        this.error(
          res,
          400,
          "BadRequest",
          "System.Management.Automation.ParameterBindingException",
          `A parameter cannot be found that matches parameter name '${k}'.`,
        );
        return;
      }
    }
    for (const [k, values] of Object.entries(spec.enums ?? {})) {
      if (params[k] === undefined || params[k] === null) continue;
      // EXO accepts any unambiguous prefix of an enum value and stores the full value.
      const v = String(params[k]);
      const match = values.filter((e) => e.toLowerCase().startsWith(v.toLowerCase()));
      if (match.length !== 1) {
        this.error(
          res,
          400,
          "BadRequest",
          "System.Management.Automation.ParameterBindingException",
          `Cannot bind parameter '${k}'. Specify one of the following enumerator names and try again: ${values.join(", ")}`,
        );
        return;
      }
      params[k] = match[0];
    }
    let rows: Obj[];
    try {
      rows = spec.run(params) ?? [];
    } catch (err) {
      const e = err as { status?: number; code?: string; type?: string; message: string };
      this.error(
        res,
        e.status ?? 400,
        e.code ?? "BadRequest",
        e.type ?? "Microsoft.Exchange.Management.Tasks.ValidationException",
        e.message,
      );
      return;
    }
    const size = Math.min(
      Number(/odata\.maxpagesize=(\d+)/.exec(String(req.headers.prefer ?? ""))?.[1] ?? 1000),
      1000,
    );
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    const page = rows.slice(skip, skip + size).map((r) => ({ ...r, "Guid@odata.type": "#Guid" }));
    const out: Obj = {
      "@odata.context": `${this.origin}/adminapi/beta/$metadata#Collection`,
      value: page,
    };
    if (skip + size < rows.length) {
      out["@odata.nextLink"] =
        `${this.origin}/adminapi/beta/${this.tenantId}/InvokeCommand?$skiptoken=${skip + size}`;
    }
    this.send(res, 200, out);
  }

  private visible(kind: string, id: string): boolean {
    const t = this.created.get(`${kind}|${id.toLowerCase()}`);
    return t === undefined || Date.now() - t >= this.replicationDelayMs;
  }

  private defineCmdlets(): Record<string, CmdletSpec> {
    const notFound = (what: string) =>
      Object.assign(
        new Error(
          `The operation couldn't be performed because object '${what}' couldn't be found.`,
        ),
        {
          status: 404,
          code: "NotFound",
          type: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        },
      );
    const bad = (text: string) => new Error(text);
    const smtpList = (v: unknown) =>
      Array.isArray(v) ? v.map((d) => `smtp:${String(d)};1`) : null;
    const table = (
      kind: string,
      map: Map<string, Obj>,
      shape: (p: Obj, prev?: Obj) => Obj,
      params: string[],
      enums: Record<string, string[]>,
      validate: (o: Obj) => void = () => undefined,
      verbs: { get: string; set: string; add: string; remove: string } = {
        get: `Get-${kind}`,
        set: `Set-${kind}`,
        add: `New-${kind}`,
        remove: `Remove-${kind}`,
      },
    ): Record<string, CmdletSpec> => {
      const find = (id: unknown) => {
        const key = String(id ?? "").toLowerCase();
        const o = map.get(key);
        if (!o || !this.visible(kind, key)) throw notFound(String(id));
        return { key, o };
      };
      return {
        [verbs.get]: {
          params: ["Identity"],
          run: (p) => (p.Identity === undefined ? [...map.values()] : [find(p.Identity).o]),
        },
        [verbs.add]: {
          params: ["Name", ...params],
          enums,
          run: (p) => {
            const key = String(p.Name ?? "").toLowerCase();
            if (key === "") throw bad("The Name parameter is required.");
            if (map.has(key)) throw bad(`The object '${p.Name}' already exists.`);
            const o = shape(p);
            validate(o);
            map.set(key, o);
            this.created.set(`${kind}|${key}`, Date.now());
            return [o];
          },
        },
        [verbs.set]: {
          params: ["Identity", ...params],
          enums,
          run: (p) => {
            const { key, o } = find(p.Identity);
            const next = shape(p, o);
            validate(next);
            map.set(key, next);
          },
        },
        [verbs.remove]: {
          params: ["Identity"],
          run: (p) => {
            map.delete(find(p.Identity).key);
          },
        },
      };
    };
    const pick = (p: Obj, prev: Obj | undefined, k: string, dflt: unknown) =>
      p[k] !== undefined ? p[k] : prev ? prev[k] : dflt;
    const inbound = table(
      "InboundConnector",
      this.inbound,
      (p, prev) => ({
        Name: pick(p, prev, "Name", undefined),
        Identity: pick(p, prev, "Name", undefined),
        Guid: prev?.Guid ?? randomUUID(),
        ConnectorType: pick(p, prev, "ConnectorType", "Partner"),
        ConnectorSource: "AdminUI",
        SenderDomains:
          p.SenderDomains !== undefined ? smtpList(p.SenderDomains) : (prev?.SenderDomains ?? null),
        SenderIPAddresses: pick(p, prev, "SenderIPAddresses", null),
        TlsSenderCertificateName: pick(p, prev, "TlsSenderCertificateName", null),
        RequireTls: pick(p, prev, "RequireTls", false),
        RestrictDomainsToIPAddresses: pick(p, prev, "RestrictDomainsToIPAddresses", false),
        RestrictDomainsToCertificate: pick(p, prev, "RestrictDomainsToCertificate", false),
        TreatMessagesAsInternal: pick(p, prev, "TreatMessagesAsInternal", false),
        CloudServicesMailEnabled: pick(p, prev, "CloudServicesMailEnabled", false),
        Enabled: pick(p, prev, "Enabled", true),
        Comment: pick(p, prev, "Comment", null),
      }),
      [
        "ConnectorType",
        "SenderDomains",
        "SenderIPAddresses",
        "TlsSenderCertificateName",
        "RequireTls",
        "RestrictDomainsToIPAddresses",
        "RestrictDomainsToCertificate",
        "TreatMessagesAsInternal",
        "CloudServicesMailEnabled",
        "Enabled",
        "Comment",
      ],
      { ConnectorType: ["Partner", "OnPremises"] },
      (o) => {
        if (o.SenderDomains === null) throw bad("SenderDomains is required.");
        for (const ip of (o.SenderIPAddresses as string[] | null) ?? []) {
          const m = /\/(\d+)$/.exec(ip);
          if (ip.includes(":") || (m && Number(m[1]) < 24))
            throw bad(`The IP address '${ip}' isn't valid: use IPv4 with a mask of /24 to /32.`);
        }
        if (
          o.ConnectorType !== "Partner" &&
          (o.RequireTls || o.RestrictDomainsToIPAddresses || o.RestrictDomainsToCertificate)
        ) {
          throw bad(
            "RequireTls, RestrictDomainsToIPAddresses and RestrictDomainsToCertificate can only be set on Partner connectors.",
          );
        }
        if (
          o.TreatMessagesAsInternal &&
          (o.ConnectorType !== "OnPremises" || o.CloudServicesMailEnabled)
        ) {
          throw bad(
            "TreatMessagesAsInternal needs an OnPremises connector without CloudServicesMailEnabled.",
          );
        }
      },
    );
    const outbound = table(
      "OutboundConnector",
      this.outbound,
      (p, prev) => ({
        Name: pick(p, prev, "Name", undefined),
        Identity: pick(p, prev, "Name", undefined),
        Guid: prev?.Guid ?? randomUUID(),
        ConnectorType: pick(p, prev, "ConnectorType", "Partner"),
        ConnectorSource: "AdminUI",
        RecipientDomains: pick(p, prev, "RecipientDomains", null),
        UseMXRecord: pick(p, prev, "UseMXRecord", true),
        SmartHosts: pick(p, prev, "SmartHosts", null),
        TlsSettings: pick(p, prev, "TlsSettings", null),
        TlsDomain: pick(p, prev, "TlsDomain", null),
        CloudServicesMailEnabled: pick(p, prev, "CloudServicesMailEnabled", false),
        Enabled: pick(p, prev, "Enabled", true),
        Comment: pick(p, prev, "Comment", null),
      }),
      [
        "ConnectorType",
        "RecipientDomains",
        "UseMXRecord",
        "SmartHosts",
        "CloudServicesMailEnabled",
        "TlsSettings",
        "TlsDomain",
        "Enabled",
        "Comment",
      ],
      {
        ConnectorType: ["Partner", "OnPremises"],
        TlsSettings: ["EncryptionOnly", "CertificateValidation", "DomainValidation"],
      },
      (o) => {
        if (String(o.Name).length > 64) throw bad("The Name can be at most 64 characters.");
        if (o.UseMXRecord === false && !(o.SmartHosts as unknown[] | null)?.length)
          throw bad("SmartHosts is required when UseMXRecord is $false.");
        if (((o.RecipientDomains as unknown[] | null)?.length ?? 0) > 1266)
          throw bad("The administrative limit for this request was exceeded.");
      },
    );
    const spamPolicy = table(
      "HostedOutboundSpamFilterPolicy",
      this.spamPolicies,
      (p, prev) => ({
        Name: pick(p, prev, "Name", undefined),
        Identity: pick(p, prev, "Name", undefined),
        AutoForwardingMode: pick(p, prev, "AutoForwardingMode", "Automatic"),
      }),
      ["AutoForwardingMode"],
      { AutoForwardingMode: ["Automatic", "On", "Off"] },
    );
    const spamRule = table(
      "HostedOutboundSpamFilterRule",
      this.spamRules,
      (p, prev) => ({
        Name: pick(p, prev, "Name", undefined),
        Identity: pick(p, prev, "Name", undefined),
        HostedOutboundSpamFilterPolicy: pick(p, prev, "HostedOutboundSpamFilterPolicy", undefined),
        From: pick(p, prev, "From", null),
        Priority: pick(p, prev, "Priority", 0),
        State: "Enabled",
      }),
      ["HostedOutboundSpamFilterPolicy", "From", "Priority"],
      {},
      (o) => {
        if (!this.spamPolicies.has(String(o.HostedOutboundSpamFilterPolicy ?? "").toLowerCase())) {
          throw Object.assign(
            new Error(
              `The policy '${String(o.HostedOutboundSpamFilterPolicy)}' couldn't be found.`,
            ),
            {
              status: 404,
              code: "NotFound",
              type: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
            },
          );
        }
      },
    );
    const remote = table(
      "RemoteDomain",
      this.remoteDomains,
      (p, prev) => ({
        Name: pick(p, prev, "Name", undefined),
        Identity: pick(p, prev, "Name", undefined),
        DomainName: pick(p, prev, "DomainName", undefined),
        AutoForwardEnabled: pick(p, prev, "AutoForwardEnabled", true),
      }),
      ["DomainName", "AutoForwardEnabled"],
      {},
    );
    // New-RemoteDomain takes only Name and DomainName; the rest is Set-RemoteDomain's.
    remote["New-RemoteDomain"].params = ["Name", "DomainName"];
    remote["Set-RemoteDomain"].params = ["Identity", "AutoForwardEnabled"];

    const mailbox = (id: unknown) => {
      const key = String(id ?? "").toLowerCase();
      const m =
        this.mailboxes.get(key) ??
        [...this.mailboxes.values()].find((x) => String(x.Identity).toLowerCase() === key);
      if (!m) throw notFound(String(id));
      return m;
    };
    const sp = (id: unknown) => {
      const o = this.servicePrincipals.get(String(id ?? "").toLowerCase());
      if (!o || !this.visible("ServicePrincipal", String(id).toLowerCase()))
        throw notFound(String(id));
      return o;
    };
    return {
      ...emptyListsAsArrays(inbound, "Get-InboundConnector", ["SenderIPAddresses"]),
      ...emptyListsAsArrays(outbound, "Get-OutboundConnector", ["SmartHosts"]),
      ...spamPolicy,
      ...spamRule,
      ...remote,
      "Get-Mailbox": {
        params: ["Identity"],
        run: (p) => {
          const m = mailbox(p.Identity);
          return [
            {
              ...m,
              ForwardingSmtpAddress: m.ForwardingSmtpAddress
                ? `smtp:${String(m.ForwardingSmtpAddress)}`
                : null,
            },
          ];
        },
      },
      "Set-Mailbox": {
        params: [
          "Identity",
          "ForwardingSmtpAddress",
          "ForwardingAddress",
          "DeliverToMailboxAndForward",
        ],
        run: (p) => {
          const m = mailbox(p.Identity);
          if ("ForwardingSmtpAddress" in p)
            m.ForwardingSmtpAddress = p.ForwardingSmtpAddress ?? null;
          if ("ForwardingAddress" in p) m.ForwardingAddress = p.ForwardingAddress ?? null;
          if ("DeliverToMailboxAndForward" in p)
            m.DeliverToMailboxAndForward = p.DeliverToMailboxAndForward === true;
        },
      },
      "Get-CASMailbox": {
        params: ["Identity"],
        run: (p) => {
          const m = mailbox(p.Identity);
          return [
            {
              Identity: m.Identity,
              PrimarySmtpAddress: m.PrimarySmtpAddress,
              SmtpClientAuthenticationDisabled: m.SmtpClientAuthenticationDisabled,
            },
          ];
        },
      },
      "Set-CASMailbox": {
        params: ["Identity", "SmtpClientAuthenticationDisabled"],
        run: (p) => {
          mailbox(p.Identity).SmtpClientAuthenticationDisabled =
            p.SmtpClientAuthenticationDisabled ?? null;
        },
      },
      "Get-ServicePrincipal": {
        params: ["Identity"],
        run: (p) =>
          p.Identity === undefined ? [...this.servicePrincipals.values()] : [sp(p.Identity)],
      },
      "New-ServicePrincipal": {
        params: ["AppId", "ObjectId", "DisplayName"],
        run: (p) => {
          const key = String(p.AppId ?? "").toLowerCase();
          if (this.servicePrincipals.has(key))
            throw bad(`A service principal for app '${String(p.AppId)}' already exists.`);
          const o = {
            AppId: p.AppId,
            ObjectId: p.ObjectId,
            DisplayName: p.DisplayName ?? null,
            Identity: p.ObjectId,
          };
          this.servicePrincipals.set(key, o);
          this.created.set(`ServicePrincipal|${key}`, Date.now());
          return [o];
        },
      },
      "Set-ServicePrincipal": {
        params: ["Identity", "DisplayName"],
        run: (p) => {
          sp(p.Identity).DisplayName = p.DisplayName ?? null;
        },
      },
      "Remove-ServicePrincipal": {
        params: ["Identity"],
        run: (p) => {
          sp(p.Identity);
          this.servicePrincipals.delete(String(p.Identity).toLowerCase());
        },
      },
      "Get-MailboxPermission": {
        params: ["Identity", "User"],
        run: (p) => {
          const m = mailbox(p.Identity);
          const rows = this.permissions.filter(
            (x) =>
              x.Mailbox === m.PrimarySmtpAddress &&
              (p.User === undefined ||
                String(x.User).toLowerCase() === String(p.User).toLowerCase()),
          );
          if (p.User !== undefined && rows.length === 0)
            throw notFound(`${String(p.Identity)}\\${String(p.User)}`);
          return rows.map((x) => ({
            Identity: m.Identity,
            User: x.User,
            AccessRights: x.AccessRights,
            IsInherited: false,
            Deny: false,
          }));
        },
      },
      "Add-MailboxPermission": {
        params: ["Identity", "User", "AccessRights", "AutoMapping"],
        enums: {
          AccessRights: [
            "ChangeOwner",
            "ChangePermission",
            "DeleteItem",
            "ExternalAccount",
            "FullAccess",
            "ReadPermission",
          ],
        },
        run: (p) => {
          const m = mailbox(p.Identity);
          if (
            !this.servicePrincipals.has(String(p.User).toLowerCase()) &&
            ![...this.servicePrincipals.values()].some(
              (s) => String(s.ObjectId).toLowerCase() === String(p.User).toLowerCase(),
            )
          ) {
            throw notFound(String(p.User));
          }
          this.permissions.push({
            Mailbox: m.PrimarySmtpAddress,
            User: p.User,
            AccessRights: [p.AccessRights],
          });
        },
      },
      "Remove-MailboxPermission": {
        params: ["Identity", "User", "AccessRights"],
        run: (p) => {
          const m = mailbox(p.Identity);
          const i = this.permissions.findIndex(
            (x) =>
              x.Mailbox === m.PrimarySmtpAddress &&
              String(x.User).toLowerCase() === String(p.User).toLowerCase(),
          );
          if (i < 0) throw notFound(`${String(p.Identity)}\\${String(p.User)}`);
          this.permissions.splice(i, 1);
        },
      },
    };
  }
}

import { createHash } from "node:crypto";
import { EPostError } from "../errors";
import { debug } from "../log";
import { DEFAULT_ADMIN_HOST, DEFAULT_AUTHORITY_HOST, ExoConnection } from "./exoConnection";
import { exoError, isNotFound, parseErrorBody } from "./exoError";
import { httpsRequest, msalNetworkClient } from "./httpClient";

/** A row of cmdlet output, with EXO's `@odata` annotations removed. */
export type Row = Record<string, unknown>;

/** Retry and paging limits; tests shorten the delays. */
export interface ExoTuning {
  /** Attempts for 429/503/504/408 and EXO's "concurrent requests" refusals. */
  attempts: number;
  /** Back-off unit: attempt n waits n units. */
  retryDelayMs: number;
  /** How long a read after a create keeps retrying 404s while EXO replicates. */
  replicationWaitMs: number;
  /** Page size asked of the server. */
  pageSize: number;
}

export const DEFAULT_EXO_TUNING: ExoTuning = {
  attempts: 5,
  retryDelayMs: 5_000,
  replicationWaitMs: 300_000,
  pageSize: 1000,
};

let tuning: ExoTuning = { ...DEFAULT_EXO_TUNING };

/** Changes the client's limits for this process. */
export function setExoTuning(t: Partial<ExoTuning>): void {
  tuning = { ...tuning, ...t };
}

const RETRY_STATUS = new Set([408, 429, 503, 504]);
const ANCHOR = "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@";

/**
 * Runs Exchange Online cmdlets through the admin REST endpoint the ExchangeOnlineManagement v3
 * module uses, with an app-only token from MSAL. One client, and so one token cache, per
 * tenant and app in a process; MSAL renews the token before it expires. Tokens are never logged.
 */
export class ExoClient {
  readonly tenantId: string;
  private readonly conn: ExoConnection;
  private readonly app: any;
  calls = 0;

  constructor(conn: ExoConnection) {
    this.conn = conn;
    this.tenantId = conn.tenantId;
    const msal = require("@azure/msal-node") as typeof import("@azure/msal-node");
    const authorityHost = conn.authorityHost ?? DEFAULT_AUTHORITY_HOST;
    this.app = new msal.ConfidentialClientApplication({
      auth: {
        clientId: conn.clientId,
        authority: `${authorityHost}/${conn.tenantId}`,
        knownAuthorities: [new URL(authorityHost).host],
        ...(conn.clientSecret ? { clientSecret: conn.clientSecret } : {}),
        ...(conn.certificate
          ? {
              clientCertificate: {
                thumbprintSha256:
                  conn.certificate.thumbprint.length === 64
                    ? conn.certificate.thumbprint
                    : undefined,
                thumbprint:
                  conn.certificate.thumbprint.length === 40
                    ? conn.certificate.thumbprint
                    : undefined,
                privateKey: conn.certificate.privateKey,
              },
            }
          : {}),
      },
      system: { networkClient: msalNetworkClient(conn.caCertificate) },
    });
  }

  private async token(): Promise<string> {
    const scope = `${this.conn.adminHost ?? DEFAULT_ADMIN_HOST}/.default`;
    try {
      const r = await this.app.acquireTokenByClientCredential({ scopes: [scope] });
      if (!r?.accessToken) throw new Error("no access token in the answer");
      return r.accessToken as string;
    } catch (err) {
      // MSAL's messages carry the error code and description, never the secret.
      throw new EPostError(
        "EPOST_REMOTE_API",
        `exo: cannot get a token for app ${this.conn.clientId} in tenant ${this.tenantId}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /**
   * Runs a cmdlet and returns every row of its output, following `@odata.nextLink`. Throttling
   * answers are retried with back-off; any other failure raises an error carrying the status and
   * EXO's code, so a failure is never mistaken for "not found".
   */
  async invoke(cmdlet: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    const host = this.conn.adminHost ?? DEFAULT_ADMIN_HOST;
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: params } });
    let url: string | undefined = `${host}/adminapi/beta/${this.tenantId}/InvokeCommand`;
    const rows: Row[] = [];
    while (url) {
      const page = await this.post(cmdlet, url, body);
      for (const r of page.value) rows.push(stripAnnotations(r));
      url = page.next;
    }
    return rows;
  }

  /** Like {@link invoke} for a Get- cmdlet, but a 404 means "none" and gives undefined. */
  async getOne(cmdlet: string, params: Record<string, unknown>): Promise<Row | undefined> {
    try {
      const rows = await this.invoke(cmdlet, params);
      return rows[0];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Reads an object just created, retrying 404s while EXO replicates it. */
  async waitFor(cmdlet: string, params: Record<string, unknown>): Promise<Row> {
    const deadline = Date.now() + tuning.replicationWaitMs;
    for (let n = 1; ; n++) {
      const row = await this.getOne(cmdlet, params);
      if (row) return row;
      if (Date.now() > deadline) {
        throw exoError(
          { status: 404, exoCode: "NotFound", cmdlet },
          `still not visible after ${Math.round(tuning.replicationWaitMs / 1000)} s`,
        );
      }
      debug("entry", `exo ${cmdlet}: not replicated yet (try ${n})`);
      await sleep(Math.min(tuning.retryDelayMs * n, 30_000));
    }
  }

  private async post(
    cmdlet: string,
    url: string,
    body: string,
  ): Promise<{ value: Row[]; next?: string }> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.token();
      this.calls++;
      let res;
      try {
        res = await httpsRequest(url, {
          method: "POST",
          body,
          ca: this.conn.caCertificate,
          headers: {
            Authorization: `Bearer ${token}`,
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-AnchorMailbox": `${ANCHOR}${this.tenantId}`,
            Prefer: `odata.maxpagesize=${tuning.pageSize}`,
          },
        });
      } catch (err) {
        if (attempt < tuning.attempts) {
          await sleep(tuning.retryDelayMs * attempt);
          continue;
        }
        throw exoError(
          { status: 0, cmdlet },
          `cannot reach ${new URL(url).origin}: ${(err as Error).message}`,
        );
      }
      const text = res.body.toString("utf8");
      const concurrent = /maximum number of concurrent requests/i.test(text);
      if ((RETRY_STATUS.has(res.status) || concurrent) && attempt < tuning.attempts) {
        debug(
          "entry",
          `exo ${cmdlet}: HTTP ${res.status}, retrying (${attempt}/${tuning.attempts})`,
        );
        await sleep(tuning.retryDelayMs * attempt);
        continue;
      }
      if (res.status === 204 || (res.status < 300 && text.trim() === "")) return { value: [] };
      if (res.status >= 300) {
        const parsed = parseErrorBody(res.body);
        const hint =
          res.status === 401
            ? " (the token was refused: check the app's Exchange.ManageAsApp permission and admin consent)"
            : res.status === 403
              ? " (forbidden: the app's service principal needs the Exchange Administrator role, or the cmdlet is unknown)"
              : "";
        throw exoError(
          { status: res.status, exoCode: parsed.exoCode, cmdlet },
          parsed.message + hint,
        );
      }
      const j = JSON.parse(text) as { value?: Row[]; "@odata.nextLink"?: string };
      return { value: j.value ?? [], next: j["@odata.nextLink"] };
    }
  }
}

function stripAnnotations(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (!k.includes("@")) out[k] = v;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const clients = new Map<string, ExoClient>();

/** The shared client for a tenant and app in this process. */
export function getExoClient(conn: ExoConnection): ExoClient {
  const key = createHash("sha256")
    .update(
      JSON.stringify([
        conn.tenantId,
        conn.clientId,
        conn.clientSecret ?? "",
        conn.certificate?.thumbprint ?? "",
        conn.authorityHost ?? "",
        conn.adminHost ?? "",
      ]),
    )
    .digest("hex");
  let c = clients.get(key);
  if (!c) {
    c = new ExoClient(conn);
    clients.set(key, c);
  }
  return c;
}

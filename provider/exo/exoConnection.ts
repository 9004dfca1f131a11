import { FieldFailure } from "../errors";
import { isUnknown, show } from "../validation/fields";

/** How the provider reaches Exchange Online: an Entra app with Exchange.ManageAsApp. */
export interface ExoConnection {
  /** The tenant's GUID (the admin endpoint wants the GUID, not a domain name). */
  tenantId: string;
  /** The automation app's application (client) id. */
  clientId: string;
  /** The app's client secret; secret. One of clientSecret and certificate is required. */
  clientSecret?: string;
  /** The app's certificate: SHA-1 or SHA-256 thumbprint (hex) and PEM private key; secret. */
  certificate?: { thumbprint: string; privateKey: string };
  /** Token authority host. Default `https://login.microsoftonline.com`. */
  authorityHost?: string;
  /** Admin endpoint host. Default `https://outlook.office365.com`. */
  adminHost?: string;
  /**
   * Extra CA certificate (PEM) to trust for both hosts, for an endpoint behind a TLS-inspecting
   * proxy or a test server. Default: the system's CAs only.
   */
  caCertificate?: string;
}

export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
export const DEFAULT_ADMIN_HOST = "https://outlook.office365.com";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID such as a tenant, app or object id. */
export function isGuid(v: unknown): v is string {
  return typeof v === "string" && GUID.test(v);
}

/** Checks an EXO connection; every problem with its field. Secrets are never shown. */
export function checkExoConnection(conn: unknown, prefix = "exo"): FieldFailure[] {
  if (isUnknown(conn)) return [];
  if (conn === null || typeof conn !== "object" || Array.isArray(conn)) {
    return [
      { property: prefix, reason: "required: { tenantId, clientId, clientSecret or certificate }" },
    ];
  }
  const c = conn as Record<string, unknown>;
  const failures: FieldFailure[] = [];
  const add = (f: string, reason: string) => failures.push({ property: `${prefix}.${f}`, reason });
  for (const f of ["tenantId", "clientId"]) {
    if (!isUnknown(c[f]) && !isGuid(c[f])) {
      add(f, `expected a GUID such as "00000000-0000-0000-0000-000000000000", got ${show(c[f])}`);
    }
  }
  const hasSecret = typeof c.clientSecret === "string" && c.clientSecret !== "";
  const hasCert = c.certificate !== undefined && c.certificate !== null;
  if (!hasSecret && !hasCert && !isUnknown(c.clientSecret)) {
    add("clientSecret", "one of clientSecret and certificate is required");
  }
  if (hasCert && !isUnknown(c.certificate)) {
    const cert = c.certificate as Record<string, unknown>;
    if (
      typeof cert.thumbprint !== "string" ||
      !/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(cert.thumbprint)
    ) {
      add("certificate.thumbprint", "expected the SHA-1 (40) or SHA-256 (64) hex thumbprint");
    }
    if (typeof cert.privateKey !== "string" || !cert.privateKey.includes("PRIVATE KEY")) {
      add(
        "certificate.privateKey",
        "expected a PEM private key (the value is secret and not shown)",
      );
    }
  }
  for (const f of ["authorityHost", "adminHost"]) {
    const v = c[f];
    if (v === undefined || isUnknown(v)) continue;
    if (typeof v !== "string" || !/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v)) {
      add(f, `expected "https://host[:port]" with no path, got ${show(v)}`);
    }
  }
  if (c.caCertificate !== undefined && !isUnknown(c.caCertificate)) {
    if (typeof c.caCertificate !== "string" || !c.caCertificate.includes("BEGIN CERTIFICATE")) {
      add("caCertificate", "expected a PEM certificate");
    }
  }
  const known = new Set([
    "tenantId",
    "clientId",
    "clientSecret",
    "certificate",
    "authorityHost",
    "adminHost",
    "caCertificate",
  ]);
  for (const k of Object.keys(c))
    if (!known.has(k)) add(k, `unknown field; allowed are ${[...known].join(", ")}`);
  return failures;
}

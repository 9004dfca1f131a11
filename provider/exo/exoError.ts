import { EPostError } from "../errors";

/** An Exchange Online admin API failure, with what the admin needs to act on it. */
export interface ExoErrorDetails {
  /** HTTP status. */
  status: number;
  /** EXO's error code (`NotFound`, `BadRequest`, the exception type...), when it gave one. */
  exoCode?: string;
  /** The cmdlet that failed. */
  cmdlet: string;
}

/** Builds the one error type of the EXO client; recognised by `code === "EPOST_REMOTE_API"`. */
export function exoError(details: ExoErrorDetails, message: string): EPostError & ExoErrorDetails {
  const err = new EPostError(
    "EPOST_REMOTE_API",
    `exo ${details.cmdlet}: HTTP ${details.status}${details.exoCode ? ` ${details.exoCode}` : ""}: ${message}`,
  ) as EPostError & ExoErrorDetails;
  err.status = details.status;
  err.exoCode = details.exoCode;
  err.cmdlet = details.cmdlet;
  return err;
}

/** True for an EXO "object not found" answer (404), and for nothing else. */
export function isNotFound(err: unknown): boolean {
  return (
    (err as { code?: string; status?: number })?.code === "EPOST_REMOTE_API" &&
    (err as { status?: number }).status === 404
  );
}

/**
 * The useful text of an error body: the inner exception's message, else the first detail
 * (`code|Exception.Type|message`), else the generic message. A 403 body can be NUL bytes.
 */
export function parseErrorBody(raw: Buffer): { exoCode?: string; message: string } {
  const text = raw.toString("utf8");
  if (text.replace(/\0/g, "").trim() === "") return { message: "(empty or binary body)" };
  let j: any;
  try {
    j = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 300) };
  }
  const e = j?.error ?? {};
  const inner = e?.innererror?.internalexception?.message;
  const detail: string | undefined = e?.details?.[0]?.message;
  if (typeof inner === "string" && inner !== "") return { exoCode: e.code, message: inner };
  if (typeof detail === "string" && detail.includes("|")) {
    const [code, type, ...rest] = detail.split("|");
    return { exoCode: code || type, message: rest.join("|") || detail };
  }
  return {
    exoCode: e.code,
    message: typeof e.message === "string" ? e.message : text.slice(0, 300),
  };
}

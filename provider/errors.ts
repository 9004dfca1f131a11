/**
 * Error kinds raised by the E-Post provider.
 *
 * Provider code is serialized into stack state and loaded again in another process, so an
 * `instanceof` test across that boundary is unreliable. Every error therefore carries a stable
 * `code`, and callers recognise errors with {@link errorCode} instead.
 */
export type EPostErrorCode =
  | "EPOST_VALIDATION"
  | "EPOST_TRANSPORT"
  | "EPOST_PARSE"
  | "EPOST_CONFLICT"
  | "EPOST_HOST_KEY"
  | "EPOST_REMOTE_API"
  | "EPOST_SERVICE";

/** An error with a stable code that survives serialization and process boundaries. */
export class EPostError extends Error {
  readonly code: EPostErrorCode;

  constructor(code: EPostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "EPostError";
  }
}

/** The `code` of an error raised by this package, or undefined for any other value. */
export function errorCode(err: unknown): EPostErrorCode | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = err.code;
    if (typeof code === "string" && code.startsWith("EPOST_")) {
      return code as EPostErrorCode;
    }
  }
  return undefined;
}

/** A problem with one input field, as reported to the engine by `check`. */
export interface FieldFailure {
  /** The input property, dotted for nested fields (`connection.hostKey`). */
  property: string;
  /** What is wrong, with the value received and what is allowed. */
  reason: string;
}

/** Raised when inputs are refused; carries every failure found, not just the first. */
export function validationError(failures: FieldFailure[]): EPostError {
  const lines = failures.map((f) => `  ${f.property}: ${f.reason}`);
  return new EPostError("EPOST_VALIDATION", `invalid inputs:\n${lines.join("\n")}`);
}

import { EPostError, FieldFailure, validationError } from "../errors";
import { debug } from "../log";
import { checkConnection, describeTarget, SshConnection } from "../transport/connection";
import { getSession, SshSession } from "../transport/sshSession";
import { hasUnknownValue, isUnknown, show } from "../validation/fields";
import type { EntryProvider } from "../entries/tableEntry";

type Props = Record<string, unknown>;

/** How the service is restarted. */
export type RestartMethod = "powershell" | "sc";

/** E-Post's SMTP receive service, which reads effect.dat. */
export const DEFAULT_SERVICE = "EPSTRS";
const DEFAULT_TIMEOUT_SECONDS = 120;
const SERVICE_NAME = /^[A-Za-z0-9_.-]{1,80}$/;

/**
 * When the restart runs. `afterChange`: on create, and whenever a trigger is added or changes
 * value. `afterRemoval`: when it is deleted, which the engine does after the resources that depend
 * on it, and so, by replacement, whenever a trigger is removed.
 */
export type RestartWhen = "afterChange" | "afterRemoval";

/** Changing any of these replaces the restart, whatever the triggers did. */
const REPLACE_ON = ["service", "method", "target", "when"];

/**
 * The command line shown in the preview. For `sc` it is the sequence the provider runs, waiting
 * between the steps for the service to reach the state (sc.exe itself does not wait).
 */
export function restartCommand(service: string, method: RestartMethod): string {
  if (method === "sc") {
    return (
      `sc.exe stop ${service}; sc.exe query ${service} (until STOPPED); ` +
      `sc.exe start ${service}; sc.exe query ${service} (until RUNNING)`
    );
  }
  return powershell(service);
}

function powershell(service: string): string {
  return (
    `powershell.exe -NoProfile -NonInteractive -Command "Restart-Service -Name '${service}' ` +
    `-Force -ErrorAction Stop; (Get-Service -Name '${service}').Status"`
  );
}

function check(news: Props): { inputs: Props; failures: FieldFailure[] } {
  const failures: FieldFailure[] = [];
  const conn = news.connection;
  if (conn && typeof conn === "object" && !isUnknown(conn) && (conn as Props).transport === "smb") {
    failures.push({
      property: "connection.transport",
      reason:
        "restarting a service needs SSH; over SMB restart it in E-Post Mail Control " +
        "(サービス制御) instead",
    });
  } else {
    failures.push(...checkConnection(conn));
  }
  const service = news.service ?? DEFAULT_SERVICE;
  if (!isUnknown(service) && (typeof service !== "string" || !SERVICE_NAME.test(service))) {
    failures.push({
      property: "service",
      reason: `expected a Windows service name such as "EPSTRS" (letters, digits, _ . -), got ${show(service)}`,
    });
  }
  const method = news.method ?? "powershell";
  if (!isUnknown(method) && method !== "powershell" && method !== "sc") {
    failures.push({
      property: "method",
      reason: `expected "powershell" or "sc", got ${show(method)}`,
    });
  }
  const timeout = news.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (
    !isUnknown(timeout) &&
    (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 5 || timeout > 3600)
  ) {
    failures.push({
      property: "timeoutSeconds",
      reason: `expected whole seconds from 5 to 3600, got ${show(timeout)}`,
    });
  }
  const triggers = news.triggers;
  if (
    triggers !== undefined &&
    !isUnknown(triggers) &&
    (triggers === null || typeof triggers !== "object")
  ) {
    failures.push({
      property: "triggers",
      reason: `expected a list, or an object of named values, got ${show(triggers)}`,
    });
  }
  const when = news.when ?? "afterChange";
  if (!isUnknown(when) && when !== "afterChange" && when !== "afterRemoval") {
    failures.push({
      property: "when",
      reason: `expected "afterChange" or "afterRemoval", got ${show(when)}`,
    });
  }
  const allowed = new Set([
    "connection",
    "service",
    "method",
    "timeoutSeconds",
    "triggers",
    "when",
    "command",
    "target",
    "status",
    "restartedAt",
    "__provider",
  ]);
  for (const key of Object.keys(news)) {
    if (!allowed.has(key)) {
      failures.push({
        property: key,
        reason:
          "unknown input; EPostServiceRestart takes connection, service, method, timeoutSeconds, triggers, when",
      });
    }
  }
  const inputs: Props = {
    connection: conn,
    service,
    method,
    timeoutSeconds: timeout,
    triggers: triggers ?? [],
    when,
  };
  if (failures.length === 0 && !isUnknown(service) && !isUnknown(method)) {
    inputs.command = restartCommand(service as string, method as RestartMethod);
    if (!hasUnknownValue(conn)) inputs.target = describeTarget(conn as SshConnection);
  }
  return { inputs, failures };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The triggers by name: an object's keys, or a list's positions. */
function named(triggers: unknown): Map<string, unknown> {
  if (triggers === null || typeof triggers !== "object") return new Map();
  return new Map(Object.entries(triggers as Props));
}

/**
 * Whether the triggers call for a restart. Named triggers make the order of declaration
 * irrelevant; a value not known at preview counts as changed.
 */
function triggered(when: RestartWhen, olds: unknown, news: unknown): boolean {
  if (isUnknown(news)) return true;
  const before = named(olds);
  const after = named(news);
  if (when === "afterRemoval") return [...before.keys()].some((k) => !after.has(k));
  return [...after].some(
    ([k, v]) => !before.has(k) || hasUnknownValue(v) || !same(before.get(k), v),
  );
}

/** Waits until `sc.exe query` reports `state`, polling once a second. */
async function waitForState(
  ssh: SshSession,
  service: string,
  state: "STOPPED" | "RUNNING",
  deadline: number,
): Promise<void> {
  for (;;) {
    const q = await ssh.exec(`sc.exe query ${service}`, 30_000);
    // sc.exe prints the state as a number and an English name on every Windows language.
    const now = /:\s*\d\s+([A-Z_]+)/.exec(
      q.stdout.split(/\r?\n/).find((l) => /STATE|状態/.test(l)) ?? "",
    );
    if (q.code !== 0) {
      throw new EPostError(
        "EPOST_SERVICE",
        `sc.exe query ${service} failed: ${oneLine(q.stdout + q.stderr)}`,
      );
    }
    if (now?.[1] === state) return;
    if (Date.now() > deadline) {
      throw new EPostError(
        "EPOST_SERVICE",
        `${service} did not reach ${state} in time (it is ${now?.[1] ?? "in an unknown state"})`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 400);
}

async function restart(props: Props): Promise<string> {
  const conn = props.connection as SshConnection;
  const service = props.service as string;
  const method = props.method as RestartMethod;
  const timeoutMs = (props.timeoutSeconds as number) * 1000;
  const ssh = await getSession(conn);
  const where = `${service} on ${describeTarget(conn)}`;
  debug("ssh", `restarting ${where} with ${method}`);
  if (method === "powershell") {
    const r = await ssh.exec(powershell(service), timeoutMs);
    const status = r.stdout.trim().split(/\r?\n/).pop()?.trim() ?? "";
    if (r.code !== 0 || status !== "Running") {
      throw new EPostError(
        "EPOST_SERVICE",
        `restarting ${where} failed (exit ${r.code}): ${oneLine(r.stderr || r.stdout)}. The account ` +
          `needs to be an administrator whose SSH logon is elevated.`,
      );
    }
    return status;
  }
  const deadline = Date.now() + timeoutMs;
  const stop = await ssh.exec(`sc.exe stop ${service}`, timeoutMs);
  // 1062: the service was not running, which is as good as stopped.
  const notStarted = stop.code === 1062 || /FAILED 1062\b/.test(stop.stdout);
  if (stop.code !== 0 && !notStarted) {
    throw new EPostError(
      "EPOST_SERVICE",
      `sc.exe stop ${service} on ${describeTarget(conn)} failed (exit ${stop.code}): ${oneLine(stop.stdout + stop.stderr)}`,
    );
  }
  await waitForState(ssh, service, "STOPPED", deadline);
  const start = await ssh.exec(`sc.exe start ${service}`, timeoutMs);
  if (start.code !== 0) {
    throw new EPostError(
      "EPOST_SERVICE",
      `sc.exe start ${service} on ${describeTarget(conn)} failed (exit ${start.code}): ${oneLine(start.stdout + start.stderr)}`,
    );
  }
  await waitForState(ssh, service, "RUNNING", deadline);
  return "Running";
}

/**
 * Restarts a Windows service over SSH: after changes (on create, and when a trigger is added or
 * changes) or after removals (on delete, and when a trigger is removed). Refresh changes nothing.
 */
export const serviceRestartProvider: EntryProvider = {
  async check(_olds, news) {
    return check(news);
  },

  async diff(_id, olds, news) {
    // State written before `when` existed restarted after changes.
    const oldWhen = (olds.when ?? "afterChange") as RestartWhen;
    const replaces = REPLACE_ON.filter((k) =>
      k === "when" ? oldWhen !== news.when : !same(olds[k], news[k]),
    );
    if (triggered(news.when as RestartWhen, olds.triggers, news.triggers)) {
      replaces.push("triggers");
    }
    const changes =
      replaces.length > 0 ||
      !same(olds.triggers, news.triggers) ||
      !same(olds.timeoutSeconds, news.timeoutSeconds);
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const { failures } = check(inputs);
    if (failures.length > 0) throw validationError(failures);
    const now = new Date().toISOString();
    if (inputs.when === "afterRemoval") {
      // Nothing has been removed yet: this one restarts when it goes.
      const outs = { ...inputs, status: "waiting for a removal", restartedAt: "" };
      return { id: `${String(inputs.target)}/${String(inputs.service)}@${now}`, outs };
    }
    const status = await restart(inputs);
    const outs = { ...inputs, status, restartedAt: new Date().toISOString() };
    return { id: `${String(inputs.target)}/${String(inputs.service)}@${now}`, outs };
  },

  async read(id, props) {
    // A restart is an event, not a state on the host: there is nothing to find again.
    return { id, props };
  },

  async update(_id, olds, news) {
    return { outs: { ...news, status: olds.status, restartedAt: olds.restartedAt } };
  },

  async delete(_id, props) {
    // A restart after changes has nothing to undo. One after removals runs now: the engine
    // deletes it after the entries that depend on it, so their lines are gone from the file.
    if (props.when === "afterRemoval") await restart(props);
  },
};

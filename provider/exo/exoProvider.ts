import { isDeepStrictEqual } from "node:util";
import { FieldFailure, validationError } from "../errors";
import { defined } from "../entries/tableEntry";
import { debug } from "../log";
import { hasUnknownValue } from "../validation/fields";
import { getExoClient } from "./exoClient";
import { checkExoConnection, ExoConnection } from "./exoConnection";
import { isNotFound } from "./exoError";
import { ExoKind } from "./exoKind";

type Props = Record<string, unknown>;

/** The dynamic-provider methods for one EXO kind. */
export function exoProvider(kind: ExoKind) {
  function checkAll(news: Props): { inputs: Props; failures: FieldFailure[] } {
    const failures = checkExoConnection(news.exo);
    const k = kind.check(news);
    failures.push(...k.failures);
    const allowed = new Set(["exo", "__provider", ...kind.fields]);
    for (const key of Object.keys(news)) {
      if (!allowed.has(key)) {
        failures.push({
          property: key,
          reason: `unknown input; ${kind.label} takes ${kind.fields.join(", ")}`,
        });
      }
    }
    return { inputs: defined({ exo: news.exo, ...k.props }), failures };
  }

  function valid(props: Props): Props {
    const { inputs, failures } = checkAll(props);
    if (failures.length > 0) throw validationError(failures);
    return inputs;
  }

  const client = (props: Props) => getExoClient(props.exo as ExoConnection);

  function changedFields(olds: Props, news: Props): string[] {
    const a = kind.check(olds).props;
    return kind.fields.filter((f) => !isDeepStrictEqual(a[f] ?? null, news[f] ?? null));
  }

  return {
    async check(_olds: Props, news: Props) {
      return checkAll(news);
    },

    async diff(_id: string, olds: Props, news: Props) {
      const changed = hasUnknownValue(news)
        ? [...kind.fields]
        : changedFields(olds, kind.check(news).props);
      const oc = (olds.exo ?? {}) as Props;
      const nc = (news.exo ?? {}) as Props;
      const replaces = changed.filter((f) => kind.keyFields.includes(f));
      if (oc.tenantId !== nc.tenantId) replaces.push("exo");
      else if (!isDeepStrictEqual(oc, nc)) changed.push("exo");
      return {
        changes: changed.length > 0 || replaces.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0,
      };
    },

    async create(inputs: Props) {
      const props = valid(inputs);
      const extra = await kind.create(client(props), props);
      debug("entry", `exo ${kind.label} ${kind.id(props)} created`);
      return { id: kind.id(props), outs: defined({ ...props, ...extra }) };
    },

    async read(id: string, props: Props) {
      const current = await kind.read(client(props), props);
      if (!current) return { id: "", props: {} };
      // An owned field that EXO no longer has (cleared by hand) must read as absent, not keep
      // the value last deployed: that is the drift refresh is there to show.
      const cleared: Props = {};
      for (const f of kind.fields) if (!kind.keyFields.includes(f)) cleared[f] = undefined;
      const outs = defined({ ...props, ...cleared, ...current });
      const inputs: Props = { exo: props.exo };
      for (const f of kind.fields) if (outs[f] !== undefined) inputs[f] = outs[f];
      return { id, props: outs, inputs };
    },

    async update(_id: string, olds: Props, news: Props) {
      const props = valid(news);
      const changed = changedFields(olds, props);
      if (changed.length > 0) await kind.update(client(props), olds, props, changed);
      const keep: Props = {};
      // What create found before it changed anything, for delete to restore or leave alone.
      for (const [k, v] of Object.entries(olds))
        if (k.startsWith("previous") || k === "adopted") keep[k] = v;
      return { outs: defined({ ...props, ...keep }) };
    },

    async delete(_id: string, props: Props) {
      try {
        await kind.delete(client(props), props);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        debug("entry", `exo ${kind.label} ${kind.id(props)} was already gone`);
      }
    },
  };
}

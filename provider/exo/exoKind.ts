import { FieldFailure } from "../errors";
import { ExoClient } from "./exoClient";

type Props = Record<string, unknown>;

/**
 * One kind of Exchange Online object the stack owns part of: how its inputs are checked, which
 * fields it owns, and which cmdlets create, read, change and delete it. The provider logic
 * around it is shared (exoProvider.ts).
 */
export interface ExoKind {
  /** Short name, stored in state with the provider. */
  readonly name: string;
  /** What the object is called in messages. */
  readonly label: string;
  /** The inputs this resource owns and compares. */
  readonly fields: readonly string[];
  /** Inputs whose change means another object: the resource is replaced. */
  readonly keyFields: readonly string[];
  /** Validates and normalizes the kind's inputs, filling in defaults. */
  check(news: Props): { props: Props; failures: FieldFailure[] };
  /** The object's identity, for the resource id. */
  id(props: Props): string;
  /** Creates the object, or takes over the owned fields of an existing one; returns extra state. */
  create(client: ExoClient, props: Props): Promise<Props>;
  /** The owned fields as EXO has them now, normalized; undefined when the object is gone. */
  read(client: ExoClient, props: Props): Promise<Props | undefined>;
  /** Changes the owned fields that differ. */
  update(client: ExoClient, olds: Props, news: Props, changed: string[]): Promise<void>;
  /** Removes the object, or restores what create changed; a missing object is no error. */
  delete(client: ExoClient, props: Props): Promise<void>;
}

import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, EPostEntryResource, thinProvider } from "./common";

/** The provider of {@link EPostHostsEntry}. */
export const epostHostsEntryProvider: pulumi.dynamic.ResourceProvider = thinProvider("hosts");

/** Inputs of {@link EPostHostsEntry}. */
export interface EPostHostsEntryArgs extends EPostCommonArgs {
  /** IPv4 or IPv6 address the names resolve to, usually the E-Post server's own. */
  ip: pulumi.Input<string>;
  /** Host names on the line; the first is the line's key, compared case-insensitively. */
  hostnames: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * One line of the Windows hosts file (`layout.hostsFile`). E-Post resolves each of its domains,
 * subdomains included, through this file. New lines are appended.
 */
export class EPostHostsEntry extends EPostEntryResource {
  declare readonly ip: pulumi.Output<string>;
  declare readonly hostnames: pulumi.Output<string[]>;

  constructor(name: string, args: EPostHostsEntryArgs, opts?: pulumi.CustomResourceOptions) {
    super(epostHostsEntryProvider, "HostsEntry", name, { ...args }, opts);
  }
}

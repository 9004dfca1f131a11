import * as pulumi from "@pulumi/pulumi";

/** How to reach the E-Post host over SSH. Secrets are stored encrypted in state. */
export interface EPostSshConnectionArgs {
  /** `"ssh"`, the default. */
  transport?: pulumi.Input<"ssh">;
  /** Host name or IP address of the Windows server running OpenSSH. */
  host: pulumi.Input<string>;
  /** SSH port. Default 22. */
  port?: pulumi.Input<number>;
  /** Windows account to log in as; it needs write access to E-Post's install folder. */
  username: pulumi.Input<string>;
  /** Private key (OpenSSH or PEM); pass it as a secret. One of privateKey and password is required. */
  privateKey?: pulumi.Input<string>;
  /** Passphrase of an encrypted private key; pass it as a secret. */
  passphrase?: pulumi.Input<string>;
  /** Password; pass it as a secret. */
  password?: pulumi.Input<string>;
  /**
   * The server's host key fingerprint, `SHA256:<base64>` as `ssh-keygen -lf` prints it. Required:
   * a server presenting another key is refused, with both fingerprints in the message.
   */
  hostKey: pulumi.Input<string>;
}

/** How to reach the E-Post host over SMB, through a share holding its files. */
export interface EPostSmbConnectionArgs {
  transport: pulumi.Input<"smb">;
  /** Host name or IP address of the Windows server. */
  host: pulumi.Input<string>;
  /** SMB port. Default 445. */
  port?: pulumi.Input<number>;
  /** The share: one of the install folder (e.g. `EPOST`), or an admin share such as `C$`. */
  share: pulumi.Input<string>;
  /**
   * The Windows folder the share exposes. Default `X:/` for an admin share `X$`, otherwise
   * `layout.installDir`.
   */
  shareRoot?: pulumi.Input<string>;
  /** Domain of the account, if any. */
  domain?: pulumi.Input<string>;
  /** Account with write access to the share. */
  username: pulumi.Input<string>;
  /** Password; pass it as a secret. */
  password: pulumi.Input<string>;
  /** Refuse a server that does not sign its messages. Default true. */
  requireSigning?: pulumi.Input<boolean>;
  /** Ask for SMB 3 encryption. Default false. */
  encrypt?: pulumi.Input<boolean>;
}

/** Either way of reaching the E-Post host. */
export type EPostConnectionArgs = EPostSshConnectionArgs | EPostSmbConnectionArgs;

/** Where E-Post's files are on the host. Every field is optional. */
export interface EPostLayoutArgs {
  /** E-Post's install folder. Default `C:/Program Files/EPOST/MS`. */
  installDir?: pulumi.Input<string>;
  /** gateway.dat. Default `<installDir>/gateway.dat`. */
  gatewayFile?: pulumi.Input<string>;
  /** effect.dat. Default `<installDir>/effect.dat`. */
  effectFile?: pulumi.Input<string>;
  /** The alias table (`alias<TAB>address` lines). Default `<installDir>/alias.dat`. */
  aliasFile?: pulumi.Input<string>;
  /** The Windows hosts file. Default `C:/Windows/System32/drivers/etc/hosts`. */
  hostsFile?: pulumi.Input<string>;
  /** Encoding of these files. Default `cp932`. */
  encoding?: pulumi.Input<string>;
  /** Folder for timestamped backups. Default `<installDir>/epost-hybrid-backup`. */
  backupDir?: pulumi.Input<string>;
  /** How many backups of each file to keep. Default 10. */
  keepBackups?: pulumi.Input<number>;
}

/** Inputs shared by every E-Post resource. */
export interface EPostCommonArgs {
  /** The E-Post host. The whole object is stored as a secret. */
  connection: pulumi.Input<EPostConnectionArgs>;
  /** Where the files are; defaults suit a standard install. */
  layout?: pulumi.Input<EPostLayoutArgs>;
  /**
   * Take over an existing line with the same key but other content, and rewrite it. Without it,
   * such a line makes create fail with the file and line number. An identical line is always
   * taken over without this. Default false.
   */
  adopt?: pulumi.Input<boolean>;
  /**
   * Where a new line goes among the lines created in the same update (lower first). gateway.dat
   * and effect.dat are first-match-wins, so this order can matter. Default: the order in which
   * the program declares its E-Post resources. It never moves a line that already exists.
   */
  order?: pulumi.Input<number>;
}

let declared = 0;

/** The declaration order of the next E-Post resource in this program. */
export function nextOrder(): number {
  return declared++;
}

/**
 * A dynamic provider that holds only a kind name. Each method loads the installed implementation
 * when called, from the program's own dependencies, so nothing else is serialized into state.
 */
export function thinProvider(kind: string): pulumi.dynamic.ResourceProvider {
  const impl = () => {
    // Resolved from the program folder (the provider process's working directory): there the
    // package is either a dependency or, in this repository, the package itself.
    const { createRequire } = require("node:module");
    const { join } = require("node:path");
    const load = createRequire(join(process.cwd(), "package.json"));
    return load("epost-hybrid/runtime").providers[kind];
  };
  return {
    check: (olds, news) => impl().check(olds, news),
    diff: (id, olds, news) => impl().diff(id, olds, news),
    create: (inputs) => impl().create(inputs),
    read: (id, props) => impl().read(id, props),
    update: (id, olds, news) => impl().update(id, olds, news),
    delete: (id, props) => impl().delete(id, props),
  };
}

/** The module part of the resources' type tokens: `pulumi-nodejs:dynamic/epost:<Type>`. */
export const TYPE_MODULE = "epost";

/**
 * What every E-Post resource has in common: the connection stored as a secret, a declaration
 * order, and the outputs that say where its line is and what it holds.
 */
export abstract class EPostEntryResource extends pulumi.dynamic.Resource {
  /** `user@host:port` of the E-Post host. */
  declare readonly target: pulumi.Output<string>;
  /** The file's path on the host. */
  declare readonly file: pulumi.Output<string>;
  /** The line as written (any authentication data masked). */
  declare readonly line: pulumi.Output<string>;
  /** SHA-256 of the line's bytes; delete removes the line only while it still matches. */
  declare readonly fingerprint: pulumi.Output<string>;
  /** True when create took over a line that was already there. */
  declare readonly adopted: pulumi.Output<boolean>;
  /**
   * 1 after create, and one more each time an update rewrote the line (a changed input, or a
   * hand edit found by refresh and put back). A change in it means the file changed, which is
   * what an {@link EPostServiceRestart} trigger wants to follow.
   */
  declare readonly revision: pulumi.Output<number>;

  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    type: string,
    name: string,
    args: EPostCommonArgs & Record<string, unknown>,
    opts: pulumi.CustomResourceOptions | undefined,
    secretOutputs: string[] = [],
  ) {
    super(
      provider,
      name,
      {
        ...args,
        connection: pulumi.secret(args.connection),
        order: args.order ?? nextOrder(),
        target: undefined,
        file: undefined,
        line: undefined,
        fingerprint: undefined,
        adopted: undefined,
        revision: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [
          ...(opts?.additionalSecretOutputs ?? []),
          "connection",
          ...secretOutputs,
        ],
      },
      TYPE_MODULE,
      type,
    );
  }
}

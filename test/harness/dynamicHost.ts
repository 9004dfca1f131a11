import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";

// The same modules the engine's dynamic-provider plugin is built from.
const grpc = require("@grpc/grpc-js");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");

type Props = Record<string, unknown>;

/** The repository root: the provider process runs there, as it runs in the program folder. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");

/**
 * `@pulumi/pulumi`'s real dynamic-provider host (the process behind the
 * `pulumi-resource-pulumi-nodejs` plugin), driven over gRPC the way the engine drives it.
 */
export class DynamicProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    readonly stderr: () => string,
  ) {}

  static async start(env: NodeJS.ProcessEnv = {}): Promise<DynamicProviderHost> {
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", {
      paths: [REPO_ROOT],
    });
    const child = spawn(process.execPath, [entry, "127.0.0.1:1"], {
      cwd: REPO_ROOT,
      env: { ...process.env, PULUMI_NODEJS_PROJECT: "epost-hybrid", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout });
      rl.once("line", (l) => resolve(l.trim()));
      child.once("exit", (code) => reject(new Error(`dynamic provider exited (${code}): ${err}`)));
    });
    const client = new provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new DynamicProviderHost(child, client, () => err);
  }

  private call<T>(method: string, req: unknown, map: (resp: any) => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](req, (err: Error | null, resp: any) =>
        err ? reject(err) : resolve(map(resp)),
      );
    });
  }

  private static struct(v: Props) {
    return structproto.Struct.fromJavaScript(v);
  }

  configure(config: Record<string, string> = {}): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(DynamicProviderHost.struct(config));
    return this.call("configure", req, () => undefined);
  }

  check(
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(DynamicProviderHost.struct(olds));
    req.setNews(DynamicProviderHost.struct(news));
    return this.call("check", req, (r) => ({
      inputs: r.getInputs().toJavaScript(),
      failures: r
        .getFailuresList()
        .map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    }));
  }

  diff(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }> {
    const req = new provproto.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(DynamicProviderHost.struct(olds));
    req.setNews(DynamicProviderHost.struct(news));
    return this.call("diff", req, (r) => ({
      changes: r.getChanges(),
      replaces: r.getReplacesList(),
      deleteBeforeReplace: r.getDeletebeforereplace(),
    }));
  }

  create(urn: string, props: Props): Promise<{ id: string; props: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(DynamicProviderHost.struct(props));
    return this.call("create", req, (r) => ({
      id: r.getId(),
      props: r.getProperties().toJavaScript(),
    }));
  }

  read(
    urn: string,
    id: string,
    props: Props,
  ): Promise<{ id: string; props: Props; inputs?: Props }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(DynamicProviderHost.struct(props));
    return this.call("read", req, (r) => ({
      id: r.getId(),
      props: r.getProperties()?.toJavaScript() ?? {},
      inputs: r.getInputs()?.toJavaScript(),
    }));
  }

  update(urn: string, id: string, olds: Props, news: Props): Promise<{ props: Props }> {
    const req = new provproto.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(DynamicProviderHost.struct(olds));
    req.setNews(DynamicProviderHost.struct(news));
    return this.call("update", req, (r) => ({ props: r.getProperties().toJavaScript() }));
  }

  delete(urn: string, id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(DynamicProviderHost.struct(props));
    return this.call("delete", req, () => undefined);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
  }
}

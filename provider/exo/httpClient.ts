import * as https from "node:https";

/** An HTTP answer with the raw body: EXO's 403 bodies are NUL bytes that no JSON parser takes. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One HTTPS request, trusting `ca` in addition to the system's CAs when given. */
export function httpsRequest(
  url: string,
  opts: {
    method: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: string;
    timeoutMs?: number;
  },
): Promise<HttpResponse> {
  const u = new URL(url);
  if (u.protocol !== "https:") {
    return Promise.reject(new Error(`refusing a non-HTTPS URL ${u.origin}`));
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      u,
      {
        method: opts.method,
        headers:
          opts.body === undefined
            ? opts.headers
            : { ...opts.headers, "Content-Length": String(Buffer.byteLength(opts.body)) },
        ...(opts.ca ? { ca: [...require("node:tls").rootCertificates, opts.ca] } : {}),
        timeout: opts.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${u.origin} in time`)));
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** MSAL's network interface over {@link httpsRequest}, so tokens honour the same CA setting. */
export function msalNetworkClient(ca: string | undefined) {
  const send = async (
    method: string,
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ) => {
    const r = await httpsRequest(url, {
      method,
      headers: options?.headers,
      body: options?.body,
      ca,
    });
    const text = r.body.toString("utf8");
    let body: unknown;
    try {
      body = text === "" ? {} : JSON.parse(text);
    } catch {
      body = { error: "invalid_response", error_description: text.slice(0, 200) };
    }
    return { status: r.status, headers: r.headers, body: body as any };
  };
  return {
    sendGetRequestAsync: (url: string, options?: { headers?: Record<string, string> }) =>
      send("GET", url, options),
    sendPostRequestAsync: (
      url: string,
      options?: { headers?: Record<string, string>; body?: string },
    ) => send("POST", url, options),
  };
}

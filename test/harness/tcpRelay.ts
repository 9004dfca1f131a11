import * as net from "node:net";

const SMB2_MAGIC = 0x424d53fe; // "\xfeSMB", little-endian
const FLAGS_SIGNED = 0x8;
const SESSION_SETUP = 0x1;

/**
 * A TCP relay on 127.0.0.1 in front of a server, for the failures a network causes. `cut()`
 * resets every connection through it; `freeze()` stops them all without closing them, as a
 * black-holed route would; either way it keeps listening, so the next connection goes through.
 * For an SMB server, `strip` clears the signed flag and the signature of every response after
 * the login, as a server that does not sign (or someone on the path removing signatures) would
 * send them; without it, bytes are relayed unchanged.
 */
export async function startRelay(
  upstreamPort: number,
  strip = false,
): Promise<{
  port: number;
  stripped(): number;
  cut(): void;
  freeze(): void;
  stop(): Promise<void>;
}> {
  let stripped = 0;
  const sockets = new Set<net.Socket>();

  function rewrite(frame: Buffer): void {
    // One direct-TCP frame: 4-byte length, then SMB2 messages chained by NextCommand.
    let at = 4;
    for (;;) {
      if (frame.length < at + 64 || frame.readUInt32LE(at) !== SMB2_MAGIC) return;
      const command = frame.readUInt16LE(at + 12);
      const flags = frame.readUInt32LE(at + 16);
      if (command !== SESSION_SETUP && flags & FLAGS_SIGNED) {
        frame.writeUInt32LE(flags & ~FLAGS_SIGNED, at + 16);
        frame.fill(0, at + 48, at + 64);
        stripped++;
      }
      const next = frame.readUInt32LE(at + 20);
      if (next === 0) return;
      at += next;
    }
  }

  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      if (!strip) {
        client.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const len = pending.readUInt32BE(0) & 0xffffff;
        if (pending.length < 4 + len) break;
        const frame = Buffer.from(pending.subarray(0, 4 + len));
        pending = pending.subarray(4 + len);
        rewrite(frame);
        client.write(frame);
      }
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    stripped: () => stripped,
    cut: () => {
      for (const s of sockets) s.resetAndDestroy();
    },
    freeze: () => {
      // Paused at both ends, nothing moves either way, and neither end hears of it.
      for (const s of sockets) s.pause();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

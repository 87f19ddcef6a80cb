import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A 127.0.0.1 TCP relay that can cut the line: `cut()` drops every open connection (both
 * ends see the socket die, as on a lost network) and refuses new ones until `restore()`.
 * Used between a WebSocket client and the local WebSocket gateway.
 */
export interface TcpCut {
  /** `ws://127.0.0.1:<port>` (the relay speaks whatever the upstream speaks). */
  url: string;
  cut(): void;
  restore(): void;
  /** Connections accepted while the line was up. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpCut(upstreamUrl: string): Promise<TcpCut> {
  const upstream = new URL(upstreamUrl);
  const live = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    accepted++;
    const remote = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, remote]) {
      live.add(s);
      s.on("close", () => live.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(remote);
    remote.pipe(client);
    client.on("close", () => remote.destroy());
    remote.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${upstream.protocol}//127.0.0.1:${port}`,
    cut() {
      down = true;
      for (const s of live) s.destroy();
    },
    restore() {
      down = false;
    },
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        server.close(() => resolve());
      }),
  };
}

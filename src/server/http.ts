import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { UserError } from "../util/errors.js";

export interface Listening {
  /** e.g. `http://127.0.0.1:9470` */
  url: string;
  port: number;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then drops the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Serves `app` on host:port (0: a free port); a taken port is a UserError. */
export function listen(app: Hono, host: string, port: number): Promise<Listening> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === "EADDRINUSE"
          ? "is already in use; stop what holds it or pass another --port"
          : err.code === "EACCES"
            ? "cannot be opened by this user; pass a port above 1023"
            : `cannot be served: ${err.message}`;
      reject(new UserError(`${host}:${port} ${hint}`));
    });
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      const hostPart = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${hostPart}:${actual}`,
        port: actual,
        close: (graceMs) => close(server, graceMs),
      });
    });
  });
}

function close(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs).unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

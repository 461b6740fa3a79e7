import { createServer } from "node:net";
import { UserError } from "../util/errors.js";

/** A port the kernel reports free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Fails with a one-line user error when a fixed port is already taken. */
export function ensurePortFree(port: number, owner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new UserError(
              `${owner}: port ${port} on 127.0.0.1 is already in use; stop what holds it or set another port (or port: auto)`,
            )
          : err,
      ),
    );
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
  });
}

export async function allocatePort(spec: number | "auto", owner: string): Promise<number> {
  if (spec === "auto") return freePort();
  await ensurePortFree(spec, owner);
  return spec;
}

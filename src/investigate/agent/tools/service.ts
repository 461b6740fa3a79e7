import { z } from "zod";
import { defineTool, knownService } from "./tool.js";

/** How the runtime runs a service: process state, command, env (secrets redacted), config files. */
export const describeService = defineTool({
  name: "describe_service",
  description:
    "Describe a service as the runtime runs it: process status (pid, uptime, restarts), command, working directory, environment (secret values redacted), config files, and its dependencies.",
  input: z.strictObject({ service: z.string().optional().describe("default: the alerting service") }),
  narrow: "Config files are long: read one with read_file instead when it is in the repo.",
  async run(args, ctx) {
    const service = knownService(ctx, args.service);
    const d = await ctx.run(`runtime.describe(${service})`, () => ctx.runtime.describe(service));
    const spec = ctx.envm.manifest.services[service];
    const text = JSON.stringify(
      {
        service,
        status: d.status ?? "no process on record",
        command: d.command,
        cwd: d.cwd,
        repo: d.repo ?? null,
        dependsOn: spec?.dependsOn ?? {},
        env: Object.fromEntries(Object.entries(d.env).map(([k, v]) => [k, ctx.redact(v)])),
        configFiles: d.configFiles.map((f) => ({ path: f.path, content: ctx.redact(f.content) })),
      },
      null,
      1,
    );
    // Values were redacted before JSON escaped them; this pass catches secrets in the other fields.
    return ctx.redact(text);
  },
});

import type { ServiceDescription } from "../../runtime/runtime.js";
import { redactText } from "../../util/redact.js";
import type { EvidenceSource, GatherContext, Gathered, SourceRecorder } from "./evidence.js";

/** The service as the runtime sees it: process, uptime, restarts, env and config, secrets redacted. */
export type ServiceStateEvidence = Omit<ServiceDescription, "name">;

const maxConfigChars = 16 * 1024;

export const serviceStateSource: EvidenceSource<ServiceStateEvidence> = {
  name: "service state",
  async gather(ctx: GatherContext, recorder: SourceRecorder): Promise<Gathered<ServiceStateEvidence>> {
    const described = await recorder.run(
      `runtime.describe(${ctx.service})`,
      () => ctx.runtime.describe(ctx.service),
      (d) =>
        d.status
          ? `pid ${d.status.pid}, ${d.status.running ? "running" : "not running"}`
          : "no process on record",
    );
    if (!described.ok) return { available: false, reason: described.reason };
    const d = described.value;
    return {
      available: true,
      value: {
        status: d.status,
        command: d.command,
        cwd: d.cwd,
        ...(d.repo ? { repo: d.repo } : {}),
        env: Object.fromEntries(Object.entries(d.env).map(([k, v]) => [k, redactText(v, ctx.secrets)])),
        configFiles: d.configFiles.map((f) => ({
          path: f.path,
          content: redactText(capText(f.content, maxConfigChars), ctx.secrets),
        })),
      },
    };
  },
};

function capText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

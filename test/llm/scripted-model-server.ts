import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A model server for tests that speaks the real wire protocols — Anthropic Messages
 * (`POST …/messages`) and OpenAI Chat Completions (`POST …/chat/completions`), each as one JSON
 * answer or as server-sent events — and answers from a script instead of a model. The production
 * provider code talks to it unchanged; only the base URL differs. Every request body is kept, so a
 * test can search everything that was sent to "the model".
 */

export type Protocol = "anthropic" | "openai";

export type ScriptedReply =
  | { text: string; toolCalls?: never }
  /** `args` as an object, or as raw text (to send malformed JSON). */
  | { text?: string; toolCalls: { name: string; args: unknown }[] }
  /** An HTTP error in the protocol's own error shape. */
  | { status: number; message?: string; headers?: Record<string, string> }
  /** Answer nothing for this long (the client should time out first). */
  | { hangMs: number };

/** One request as received, with a protocol-neutral view for scripts to read. */
export interface ReceivedRequest {
  protocol: Protocol;
  path: string;
  headers: IncomingMessage["headers"];
  raw: string;
  body: Record<string, unknown>;
  stream: boolean;
  /** Names of the tools offered. */
  tools: string[];
  system: string;
  /** Every message as role + flattened text (tool results included, as role "tool"). */
  messages: { role: string; text: string; toolName?: string }[];
}

export type Script = (req: ReceivedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedModelServer {
  /** e.g. http://127.0.0.1:PORT/v1: the base URL for any provider. */
  baseUrl: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1; `script` is a list of replies in order, or a function of the request. */
export async function startScriptedModelServer(
  script: Script | ScriptedReply[],
): Promise<ScriptedModelServer> {
  const requests: ReceivedRequest[] = [];
  const play: Script = Array.isArray(script)
    ? (_req, i) => script[i] ?? { status: 500, message: `the script has no reply #${i + 1}` }
    : script;
  const pending = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const protocol: Protocol | undefined = req.url?.endsWith("/messages")
      ? "anthropic"
      : req.url?.endsWith("/chat/completions")
        ? "openai"
        : undefined;
    if (req.method !== "POST" || !protocol) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const received = describe(protocol, req, raw, body);
    requests.push(received);
    let reply: ScriptedReply;
    try {
      reply = await play(received, requests.length - 1);
    } catch (err) {
      reply = { status: 500, message: `script error: ${(err as Error).message}` };
    }
    if ("hangMs" in reply) {
      pending.add(res);
      setTimeout(() => {
        pending.delete(res);
        if (!res.destroyed) res.destroy();
      }, reply.hangMs).unref();
      return;
    }
    if ("status" in reply) {
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(errorBody(protocol, reply.status, reply.message ?? "scripted error")));
      return;
    }
    const usage = {
      input: Math.ceil(raw.length / 4),
      output: 20 + Math.ceil(JSON.stringify(reply).length / 4),
    };
    if (protocol === "anthropic") anthropicReply(res, reply, received.stream, String(body.model), usage);
    else openaiReply(res, reply, received.stream, String(body.model), usage);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Answer = Exclude<ScriptedReply, { status: number } | { hangMs: number }>;
type Usage = { input: number; output: number };

function argsText(args: unknown): string {
  return typeof args === "string" ? args : JSON.stringify(args);
}

function anthropicReply(res: ServerResponse, reply: Answer, stream: boolean, model: string, usage: Usage) {
  const id = `msg_${Math.random().toString(36).slice(2, 10)}`;
  const calls = reply.toolCalls ?? [];
  const stopReason = calls.length ? "tool_use" : "end_turn";
  const toolId = (i: number) => `toolu_${id.slice(4)}_${i}`;
  if (!stream) {
    const content: unknown[] = [];
    if (reply.text) content.push({ type: "text", text: reply.text });
    for (const [i, c] of calls.entries())
      content.push({
        type: "tool_use",
        id: toolId(i),
        name: c.name,
        // The API always sends an object; raw text stands for a model that wrote broken JSON.
        input: typeof c.args === "string" ? tryParse(c.args) : c.args,
      });
    json(res, {
      id,
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    });
    return;
  }
  const events: [string, unknown][] = [
    [
      "message_start",
      {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: 1 },
        },
      },
    ],
  ];
  let index = 0;
  if (reply.text) {
    events.push([
      "content_block_start",
      { type: "content_block_start", index, content_block: { type: "text", text: "" } },
    ]);
    for (const piece of chunks(reply.text, 12))
      events.push([
        "content_block_delta",
        { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } },
      ]);
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
    index++;
  }
  calls.forEach((c, i) => {
    events.push([
      "content_block_start",
      {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: toolId(i), name: c.name, input: {} },
      },
    ]);
    for (const piece of chunks(argsText(c.args), 10))
      events.push([
        "content_block_delta",
        { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } },
      ]);
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
    index++;
  });
  events.push([
    "message_delta",
    {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output },
    },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function openaiReply(res: ServerResponse, reply: Answer, stream: boolean, model: string, usage: Usage) {
  const id = `chatcmpl-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const calls = reply.toolCalls ?? [];
  const finish = calls.length ? "tool_calls" : "stop";
  const usageBody = {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
  };
  const callId = (i: number) => `call_${id.slice(9)}_${i}`;
  if (!stream) {
    json(res, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: reply.text ?? null,
            ...(calls.length
              ? {
                  tool_calls: calls.map((c, i) => ({
                    id: callId(i),
                    type: "function",
                    function: { name: c.name, arguments: argsText(c.args) },
                  })),
                }
              : {}),
          },
          finish_reason: finish,
        },
      ],
      usage: usageBody,
    });
    return;
  }
  const chunk = (delta: unknown, finishReason: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const out: unknown[] = [chunk({ role: "assistant", content: "" })];
  for (const piece of chunks(reply.text ?? "", 12)) out.push(chunk({ content: piece }));
  calls.forEach((c, i) => {
    out.push(
      chunk({
        tool_calls: [
          { index: i, id: callId(i), type: "function", function: { name: c.name, arguments: "" } },
        ],
      }),
    );
    for (const piece of chunks(argsText(c.args), 10))
      out.push(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
  });
  out.push(chunk({}, finish));
  out.push({ id, object: "chat.completion.chunk", created, model, choices: [], usage: usageBody });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const data of out) res.write(`data: ${JSON.stringify(data)}\n\n`);
  res.write("data: [DONE]\n\n");
  res.end();
}

function errorBody(protocol: Protocol, status: number, message: string): unknown {
  if (protocol === "anthropic") {
    const type = status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error";
    return { type: "error", error: { type, message } };
  }
  return { error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", code: null } };
}

function describe(
  protocol: Protocol,
  req: IncomingMessage,
  raw: string,
  body: Record<string, unknown>,
): ReceivedRequest {
  const tools = ((body.tools as { name?: string; function?: { name: string } }[] | undefined) ?? []).map(
    (t) => t.name ?? t.function?.name ?? "",
  );
  const messages: ReceivedRequest["messages"] = [];
  let system = "";
  const flatten = (content: unknown): string =>
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content
            .map((p) =>
              flatten(
                (p as { text?: unknown; content?: unknown }).text ??
                  (p as { content?: unknown }).content ??
                  "",
              ),
            )
            .join("\n")
        : "";
  if (protocol === "anthropic") {
    system = flatten(body.system);
    for (const m of (body.messages as { role: string; content: unknown }[]) ?? []) {
      const parts =
        typeof m.content === "string"
          ? [{ type: "text", text: m.content }]
          : (m.content as Record<string, unknown>[]);
      for (const p of parts) {
        if (p.type === "tool_result") messages.push({ role: "tool", text: flatten(p.content) });
        else if (p.type === "text") messages.push({ role: m.role, text: String(p.text) });
        else if (p.type === "tool_use")
          messages.push({ role: m.role, text: JSON.stringify(p.input), toolName: String(p.name) });
      }
    }
  } else {
    for (const m of (body.messages as {
      role: string;
      content: unknown;
      tool_calls?: { function: { name: string; arguments: string } }[];
    }[]) ?? []) {
      if (m.role === "system") system += flatten(m.content);
      else if (m.role === "tool") messages.push({ role: "tool", text: flatten(m.content) });
      else {
        if (m.content) messages.push({ role: m.role, text: flatten(m.content) });
        for (const c of m.tool_calls ?? [])
          messages.push({ role: m.role, text: c.function.arguments, toolName: c.function.name });
      }
    }
  }
  return {
    protocol,
    path: req.url ?? "",
    headers: req.headers,
    raw,
    body,
    stream: body.stream === true,
    tools,
    system,
    messages,
  };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

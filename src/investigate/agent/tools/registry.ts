import { readRepoFile } from "./files.js";
import { gitBlame, gitLog, gitShow, searchCode } from "./git.js";
import { searchLogs } from "./logs.js";
import { prometheusQuery, prometheusRangeQuery } from "./metrics.js";
import { fetchRunbook } from "./runbooks.js";
import { describeService } from "./service.js";
import type { AgentTool } from "./tool.js";

/** Every tool the investigation agent may call; all read-only. Nothing outside this list runs. */
export const agentTools: readonly AgentTool[] = [
  prometheusQuery,
  prometheusRangeQuery,
  searchLogs,
  describeService,
  gitLog,
  gitBlame,
  gitShow,
  searchCode,
  readRepoFile,
  fetchRunbook,
];

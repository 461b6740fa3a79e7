#!/usr/bin/env node
import { Command } from "commander";
import { registerInvestigateCommand } from "./investigate.js";
import { registerPatchCommand } from "./patch.js";
import { registerRunCommands } from "./run.js";
import { registerServeCommand } from "./serve.js";
import { registerVerifyCommand } from "./verify.js";
import { registerWorldCommands } from "./world.js";

const program = new Command()
  .name("fixloop")
  .description("Self-hostable AI-SRE: alert → investigation → patch → verified verdict. Never deploys.")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)")
  // Usage mistakes exit 2, like every other user error; help and version exit 0.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

registerWorldCommands(program);
registerPatchCommand(program);
registerInvestigateCommand(program);
registerVerifyCommand(program);
registerServeCommand(program);
registerRunCommands(program);

await program.parseAsync(process.argv);

/**
 * `stepwise`: list exercises, grade a model locally exactly as the grader does, enqueue a submission
 * through the same path as the web app, and list jobs. Exit codes are documented in `format.ts`.
 *
 * Arguments are parsed before anything heavy loads: each command imports its modules when it runs
 * (TF.js, the database drivers and the exercises cost seconds), so a usage error or `--help` is quick.
 */
import { parseArgs } from "node:util";
import { options, usage, UsageError, type Values } from "./usage";

type Command = (file: string | undefined, values: Values, positionals: string[]) => Promise<number> | number;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const COMMANDS: Record<string, Command> = {
  list: async (_file, values) => (await import("./local")).list(values),
  grade: async (file, values) => (await import("./local")).grade(file, values),
  debug: async (file, values) => (await import("./local")).debug(file, values),
  tune: async (file, values) => (await import("./local")).tune(file, values),
  submit: async (file, values) => (await import("./database")).submit(file, values),
  jobs: async (_file, values) => (await import("./database")).jobs(values),
  progress: async (_file, values) => (await import("./database")).progress(values),
  validate: async (file) => (await import("./validate")).validateCommand(file, out, err),
  new: async (file, values, positionals) =>
    (await import("./new")).newCommand(file, positionals[2], { exercise: values.exercise }, out, err),
};

/** The usage text names the debugging experiments; their list is the one module loaded for it. */
async function usageText(): Promise<string> {
  const { EXPERIMENTS } = await import("@stepwise/exercises/experiments");
  return usage(EXPERIMENTS);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, file] = positionals;
  // Asking for help is a success; a bare `stepwise` is a usage mistake.
  if (values.help || !command) {
    out(await usageText());
    return values.help ? 0 : 2;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new UsageError(`Unknown command "${command}".`);
  return run(file, values, positionals);
}

const argv = process.argv.slice(2);
// Asked for JSON, a script reads stdout: every failure is JSON there too, with the exit code.
const wantsJson = argv.includes("--json");

async function fail(
  kind: "usage" | "refused" | "invalid" | "grader",
  message: string,
  exitCode: number,
  withUsage = false,
): Promise<never> {
  if (wantsJson) out(JSON.stringify({ error: { kind, message, exitCode } }));
  const prefix = kind === "usage" ? "" : kind === "grader" ? "grader error: " : `${kind}: `;
  process.stderr.write(`stepwise: ${prefix}${message}\n${withUsage ? `\n${await usageText()}\n` : ""}`);
  process.exit(exitCode);
}

async function failWith(error: unknown): Promise<never> {
  if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
    return fail("usage", error.message, 2, true);
  }
  const { BudgetError, PreconditionError, ValidationError } = await import("@stepwise/core/contracts");
  if (error instanceof PreconditionError) return fail("refused", error.message, 2);
  if (error instanceof ValidationError || error instanceof BudgetError) return fail("invalid", error.message, 2);
  return fail("grader", error instanceof Error ? error.message : String(error), 3);
}

main(argv)
  .then((code) => process.exit(code))
  .catch(failWith);

import { z } from "zod";
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { CourseError } from "./schema";

type Segment = string | number;

/** A YAML file parsed with enough source information to point errors at lines. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** Line of the node at `path` (or of `key` inside it), else of its nearest existing ancestor. */
  lineOf(path: readonly Segment[], key?: string): number | undefined;
  /** Syntax errors; `value` is undefined when there are any. */
  errors: CourseError[];
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const nodeAt = (path: readonly Segment[]): Node | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
      if (node && typeof node === "object" && "range" in node) return node;
    }
    return undefined;
  };
  const errors: CourseError[] = doc.errors.map((error) => ({
    file,
    ...(error.linePos?.[0] ? { line: error.linePos[0].line } : {}),
    path: "",
    expected: "valid YAML",
    got: error.message.split("\n")[0] ?? error.code,
  }));
  return {
    file,
    value: errors.length > 0 ? undefined : (doc.toJS() as unknown),
    errors,
    lineOf(path, key) {
      const node = nodeAt(path);
      if (key !== undefined && isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return lineAt(keyNode.range[0]);
      }
      return lineAt(node?.range?.[0]);
    },
  };
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "an empty value";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );

const TYPES: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a text",
  boolean: "true or false",
  object: "a mapping (key: value lines)",
  array: "a list",
};

/** The keys an object schema at `path` allows, walking through optionals, unions (by the data) and containers. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[], root: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType | undefined, at: readonly PropertyKey[]): z.ZodType | undefined => {
    let t = s;
    for (;;) {
      if (t instanceof z.ZodOptional || t instanceof z.ZodDefault || t instanceof z.ZodNullable) t = t.unwrap() as z.ZodType;
      else if (t instanceof z.ZodDiscriminatedUnion) {
        const data = valueAt(root, at) as Record<string, unknown> | undefined;
        const options = t.options as z.ZodType[];
        t = options.find(
          (o) =>
            o instanceof z.ZodObject && data !== undefined && (o.shape as Record<string, z.ZodType>).kind?.safeParse(data.kind).success,
        );
        if (!t) return undefined;
      } else return t;
    }
  };
  for (let i = 0; i <= path.length; i++) {
    current = unwrap(current, path.slice(0, i));
    if (i === path.length || !current) break;
    const segment = path[i];
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] ?? 0;
      row[j] = Math.min(saved + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length] ?? 0;
}

const pathText = (path: readonly PropertyKey[]) =>
  path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : `${i > 0 ? "." : ""}${String(segment)}`)).join("");

/** Turns every zod issue into a CourseError that says what was expected and what the file holds. */
export function issuesToErrors(source: YamlSource, schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): CourseError[] {
  const segments = (path: readonly PropertyKey[]) => path.filter((s): s is Segment => typeof s === "string" || typeof s === "number");
  return issues.flatMap((issue): CourseError[] => {
    const got = describeValue(valueAt(source.value, issue.path));
    const at = (expected: string, gotText = got, path = issue.path, key?: string): CourseError => ({
      file: source.file,
      ...(() => {
        const line = source.lineOf(segments(path), key);
        return line === undefined ? {} : { line };
      })(),
      path: pathText(key === undefined ? path : [...path, key]),
      expected,
      got: gotText,
    });
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = keysAt(schema, issue.path, source.value);
        return issue.keys.map((key) => {
          const near = allowed.filter((k) => distance(k, key) <= 2);
          return at(
            `one of the keys ${allowed.map((k) => `\`${k}\``).join(", ")}`,
            `an unknown key \`${key}\`${near[0] ? ` (did you mean \`${near[0]}\`?)` : ""}`,
            issue.path,
            key,
          );
        });
      }
      case "invalid_type":
        return [at(TYPES[issue.expected] ?? issue.expected)];
      case "too_small":
      case "too_big": {
        const bound = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
        const op = issue.code === "too_small" ? (issue.inclusive ? "≥" : ">") : issue.inclusive ? "≤" : "<";
        const what =
          issue.origin === "array"
            ? `a list of ${op} ${bound} items`
            : issue.origin === "string"
              ? `a text of ${op} ${bound} characters`
              : `a number ${op} ${bound}`;
        return [at(what)];
      }
      case "invalid_value":
        return [at(`one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`)];
      case "invalid_format":
        return [
          at(
            issue.format === "datetime"
              ? "an ISO 8601 date-time with a time zone, e.g. 2026-03-01T23:59:00Z"
              : issue.format === "email"
                ? "an e-mail address"
                : issue.format === "regex"
                  ? `text matching ${String((issue as { pattern?: unknown }).pattern)} (lower-case letters, digits and '-')`
                  : `a ${issue.format}`,
          ),
        ];
      case "invalid_union": {
        const options = (issue as { options?: unknown[] }).options;
        return [at(options ? `one of ${options.map((o) => JSON.stringify(o)).join(", ")}` : issue.message)];
      }
      default:
        return [at(issue.message)];
    }
  });
}

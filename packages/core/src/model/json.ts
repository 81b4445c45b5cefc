import { ValidationError } from "../contracts/errors";
import type { ModelLimits } from "./limits";

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Turns the untrusted topology into plain JSON data and bounds it: size, depth, value count,
 * finite numbers, no prototype keys. Walks with an explicit stack so a deeply nested file cannot
 * overflow ours; an object handed in directly (not a string) may even contain cycles, which the
 * depth cap stops. Returns a fresh copy so later mutation by the caller cannot bypass the checks.
 */
export function toBoundedJson(raw: unknown, limits: ModelLimits): Json {
  let value: unknown = raw;
  if (typeof raw === "string") {
    if (raw.length > limits.maxJsonChars) {
      throw new ValidationError(`model JSON must be at most ${limits.maxJsonChars} characters, got ${raw.length}`);
    }
    try {
      value = JSON.parse(raw) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ValidationError(`model JSON does not parse: ${reason.slice(0, 200)}`);
    }
  }
  const root: { value: Json } = { value: null };
  const stack: { source: unknown; depth: number; path: string; assign: (v: Json) => void }[] = [
    { source: value, depth: 0, path: "", assign: (v) => (root.value = v) },
  ];
  let count = 0;
  let chars = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const { source, depth, path } = item;
    count += 1;
    if (count > limits.maxJsonValues) {
      throw new ValidationError(`model JSON must hold at most ${limits.maxJsonValues} values, got ${measure(value).values}`);
    }
    if (depth > limits.maxDepth) {
      throw new ValidationError(`model JSON must be nested at most ${limits.maxDepth} levels deep, got more`, path);
    }
    if (source === null || typeof source === "boolean") {
      item.assign(source);
    } else if (typeof source === "number") {
      if (!Number.isFinite(source)) throw new ValidationError(`numbers must be finite, got ${source}`, path);
      item.assign(source);
    } else if (typeof source === "string") {
      chars += source.length;
      item.assign(source);
    } else if (Array.isArray(source)) {
      const out: Json[] = new Array<Json>(source.length).fill(null);
      item.assign(out);
      chars += source.length;
      source.forEach((element: unknown, i) => {
        stack.push({ source: element, depth: depth + 1, path: `${path}[${i}]`, assign: (v) => (out[i] = v) });
      });
    } else if (typeof source === "object" && Object.getPrototypeOf(source) === Object.prototype) {
      const out: JsonObject = Object.create(null) as JsonObject;
      item.assign(out);
      for (const [key, element] of Object.entries(source)) {
        if (key === "__proto__" || key === "constructor" || key === "prototype") {
          throw new ValidationError(`key "${key}" is not allowed in model JSON`, path);
        }
        chars += key.length;
        const childPath = path ? `${path}.${key}` : key;
        stack.push({ source: element, depth: depth + 1, path: childPath, assign: (v) => (out[key] = v) });
      }
    } else {
      throw new ValidationError(`model JSON may hold only JSON values, got ${typeof source}`, path);
    }
    if (chars > limits.maxJsonChars) {
      throw new ValidationError(`model JSON must be at most ${limits.maxJsonChars} characters, got ${measure(value).chars}`);
    }
  }
  return root.value;
}

/**
 * Size of a value the bounded walk refused, for the message ("got 312,004"): counted the same way
 * (values; characters of strings, keys and array slots), past the limits but not forever — a
 * directly handed object may be cyclic, so the count stops at ten million and says so.
 */
function measure(value: unknown): { values: string; chars: string } {
  const CAP = 10_000_000;
  const seen = new WeakSet<object>();
  const stack: unknown[] = [value];
  let values = 0;
  let chars = 0;
  while (stack.length > 0 && values < CAP) {
    const item = stack.pop();
    values += 1;
    if (typeof item === "string") chars += item.length;
    else if (typeof item === "object" && item !== null && !seen.has(item)) {
      seen.add(item);
      const entries = Array.isArray(item) ? item : Object.values(item);
      chars += Array.isArray(item) ? item.length : Object.keys(item).reduce((n, k) => n + k.length, 0);
      for (const element of entries) stack.push(element);
    }
  }
  const text = (n: number) => (values >= CAP ? `more than ${n.toLocaleString("en-US")}` : String(n));
  return { values: text(values), chars: text(chars) };
}

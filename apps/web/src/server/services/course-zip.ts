import { crc32 } from "node:zlib";
import { ValidationError } from "@stepwise/core/contracts";
import { strToU8, unzipSync, zipSync, type Zippable } from "fflate";

/** Text files of a course folder by path inside it (`course.yaml`, `assignments/01-x.yaml`, `data/x.csv`). */
export type FolderFiles = Record<string, string>;

export const MAX_ZIP_BYTES = 10 * 1024 * 1024;
/** Uncompressed total: a small zip can inflate to gigabytes (a zip bomb). */
export const MAX_UNZIPPED_BYTES = 60 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = 500;
// A fixed timestamp on every entry, so exporting the same course twice gives the same bytes.
const ZIP_MTIME = new Date(Date.UTC(2000, 0, 1, 12));

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * Why an archive path must be refused, or null. Entries are written to disk to be validated, so
 * nothing may point outside the folder: no absolute paths, drive letters, `..`, backslashes or NUL.
 */
export function unsafePath(name: string): string | null {
  const expected = "expected a relative path inside the course folder";
  if (name.includes("\0")) return `zip entry ${JSON.stringify(name)} — ${expected}, got a name with a NUL character`;
  if (name.includes("\\")) return `zip entry ${JSON.stringify(name)} — ${expected} with '/' separators, got a backslash`;
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return `zip entry ${JSON.stringify(name)} — ${expected}, got an absolute path`;
  if (name.split("/").some((segment) => segment === ".." || segment === "."))
    return `zip entry ${JSON.stringify(name)} — ${expected}, got a path with "." or ".." segments`;
  return null;
}

/** Operating-system litter zip tools add (`__MACOSX/`, `.DS_Store`) and hidden files: never part of a course. */
function ignored(path: string): boolean {
  return path.startsWith("__MACOSX/") || path.split("/").some((segment) => segment.startsWith("."));
}

/** A folder zipped with its own name (`demo/course.yaml`) is read as if zipped from inside. */
function stripTopFolder(files: FolderFiles): FolderFiles {
  if ("course.yaml" in files) return files;
  const tops = new Set(Object.keys(files).map((path) => path.split("/")[0]));
  const [top] = [...tops];
  if (tops.size !== 1 || top === undefined || !(`${top}/course.yaml` in files)) return files;
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path.slice(top.length + 1), text]));
}

/**
 * Each entry's CRC-32 as the zip's central directory records it, by name. fflate inflates without
 * checking it, so a damaged or tampered entry would otherwise be read as whatever came out.
 */
function recordedCrcs(bytes: Uint8Array): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crcs = new Map<string, number>();
  // The end-of-central-directory record: 22 bytes plus a comment of at most 64 KiB, at the end.
  let end = -1;
  for (let at = bytes.byteLength - 22; at >= Math.max(0, bytes.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) return crcs;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  for (let i = 0; i < count && at + 46 <= bytes.byteLength && view.getUint32(at, true) === 0x02014b50; i++) {
    const nameLength = view.getUint16(at + 28, true);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    crcs.set(name, view.getUint32(at + 16, true));
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return crcs;
}

/** Reads an uploaded zip into text files, with every limit and path check before anything is inflated. */
export function unzipFolder(bytes: Uint8Array): FolderFiles {
  if (bytes.byteLength > MAX_ZIP_BYTES)
    throw new ValidationError(
      `A course folder zip must be at most ${mb(MAX_ZIP_BYTES)} (${MAX_ZIP_BYTES} bytes), got ${bytes.byteLength} bytes`,
      "zip",
    );
  const problems: string[] = [];
  let entries = 0;
  let total = 0;
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes, {
      filter(info) {
        const problem = unsafePath(info.name);
        if (problem) problems.push(problem);
        if (problem || info.name.endsWith("/") || ignored(info.name)) return false;
        entries++;
        total += info.originalSize;
        return entries <= MAX_ZIP_ENTRIES && total <= MAX_UNZIPPED_BYTES;
      },
    });
  } catch (error) {
    throw new ValidationError(
      `Expected a zip archive of a course folder, got a file that cannot be read as one (${(error as Error).message})`,
      "zip",
    );
  }
  if (problems.length > 0) throw new ValidationError(`The zip has unsafe paths:\n${problems.join("\n")}`, "zip");
  if (entries > MAX_ZIP_ENTRIES)
    throw new ValidationError(`A course folder zip may hold at most ${MAX_ZIP_ENTRIES} files, got ${entries}`, "zip");
  if (total > MAX_UNZIPPED_BYTES)
    throw new ValidationError(`A course folder may be at most ${mb(MAX_UNZIPPED_BYTES)} unzipped, got more`, "zip");
  const crcs = recordedCrcs(bytes);
  for (const [path, data] of Object.entries(unzipped)) {
    const recorded = crcs.get(path);
    if (recorded !== undefined && recorded !== crc32(data)) {
      throw new ValidationError(
        `${path} — expected contents matching the zip's checksum, got different bytes: the zip is damaged; zip the folder again`,
        "zip",
      );
    }
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const files: FolderFiles = {};
  for (const [path, data] of Object.entries(unzipped)) {
    try {
      files[path] = decoder.decode(data);
    } catch {
      throw new ValidationError(`${path} — expected a UTF-8 text file, got binary data`, "zip");
    }
  }
  return stripTopFolder(files);
}

/** Zips the files under one top folder, deterministically (sorted paths, fixed timestamps). */
export function zipFolder(top: string, files: FolderFiles): Uint8Array {
  const entries: Zippable = {};
  for (const path of Object.keys(files).sort()) {
    entries[`${top}/${path}`] = [strToU8(files[path] ?? ""), { mtime: ZIP_MTIME }];
  }
  return zipSync(entries, { level: 9 });
}

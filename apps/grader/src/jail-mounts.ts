import { existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { imdbReviewsFile, mnistDataDir } from "@stepwise/core/datasets/node";

/**
 * What a sandboxed child's filesystem is made of (jail.ts runs it): system libraries, the workspace's
 * code read-only, and masks over the files among that code a child must never read.
 */

/** apps/grader: the children's scripts, and their working directory. */
export const grader = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Read-only trees a child needs: the workspace's code and node_modules, never `data/` or other apps. */
export function codeTrees(root: string): string[] {
  const trees = ["node_modules", "packages", "tooling", "package.json", "pnpm-workspace.yaml"].map((name) => join(root, name));
  return [...trees.filter((path) => existsSync(path)), grader];
}

const under = (path: string, tree: string) => path === tree || path.startsWith(tree.endsWith(sep) ? tree : tree + sep);

export interface Mount {
  args: string[];
  dest: string;
}

export const roBind = (path: string, dest = path): Mount => ({ args: ["--ro-bind", path, dest], dest });
const tmpfs = (dest: string): Mount => ({ args: ["--perms", "0755", "--tmpfs", dest], dest });

/**
 * A directory of a dataset package kept to the files a child may read: the test labels (MNIST's
 * t10k labels; IMDB's reviews.json, sorted by label) lie beside the inputs, so the directory is
 * masked and only the named files come back.
 */
function keepOnly(dir: string, files: readonly string[]): Mount[] {
  return [
    tmpfs(dir),
    ...files
      .map((file) => join(dir, file))
      .filter((path) => existsSync(path))
      .map((path) => roBind(path)),
  ];
}

/** Masks a path inside a bound tree: a directory becomes empty, a file reads as empty. */
function mask(path: string): Mount | null {
  if (!existsSync(path)) return null;
  return lstatSync(path).isDirectory() ? tmpfs(path) : { args: ["--ro-bind", "/dev/null", path], dest: path };
}

export function systemMounts(): Mount[] {
  const mounts: Mount[] = [roBind("/usr")];
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64"]) {
    if (!existsSync(top)) continue;
    const stat = lstatSync(top);
    // Merged-/usr Debian: `/lib` is a link to `usr/lib`, made again inside the sandbox.
    mounts.push(stat.isSymbolicLink() ? { args: ["--symlink", realpathSync(top).slice(1), top], dest: top } : roBind(top));
  }
  // The dynamic loader's cache, Debian's alternatives (libopenblas.so.0 resolves through them),
  // OpenSSL's config (node reads it at start) and the user names; nothing else of /etc.
  for (const file of [
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/ssl/openssl.cnf",
    "/etc/passwd",
    "/etc/group",
  ]) {
    if (existsSync(file)) mounts.push(roBind(file));
  }
  // A node installed outside /usr (nvm, /opt): its whole prefix.
  const node = realpathSync(process.execPath);
  if (!under(node, "/usr")) mounts.push(roBind(dirname(dirname(node))));
  // The child loads the BLAS the forwarded STEPWISE_BLAS names (childEnv), so its file must be visible.
  // eslint-disable-next-line no-restricted-properties -- the same forwarded variable, not a grader setting
  const blas = process.env.STEPWISE_BLAS;
  if (blas?.startsWith("/") && existsSync(blas) && !under(realpathSync(blas), "/usr")) mounts.push(roBind(blas));
  return mounts;
}

/** The data files that never enter a child, wherever they lie inside the code trees. */
export function secretMasks(root: string, hidden: readonly string[]): Mount[] {
  const trees = codeTrees(root);
  const masks: Mount[] = [];
  const mnist = safe(() => realpathSync(mnistDataDir()));
  if (mnist) masks.push(...keepOnly(mnist, ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]));
  const imdb = safe(() => realpathSync(dirname(imdbReviewsFile())));
  if (imdb) masks.push(...keepOnly(imdb, ["package.json"]));
  // Built-in CSVs hold their test rows' targets; the parent encodes a CSV and hands over its training rows.
  const candidates = [join(root, "packages", "exercises", "data"), ...hidden, ...dotEnvFiles(trees)];
  for (const path of candidates) {
    const real = safe(() => realpathSync(path));
    if (real && trees.some((tree) => under(real, tree))) {
      const mounted = mask(real);
      if (mounted) masks.push(mounted);
    }
  }
  return masks;
}

function dotEnvFiles(trees: readonly string[]): string[] {
  return trees.flatMap((tree) => {
    const entries = safe(() => readdirSync(tree)) ?? [];
    return entries.filter((name) => name.startsWith(".env")).map((name) => join(tree, name));
  });
}

export function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** `--dir` for every parent a mount needs: bubblewrap would create them root-only (0700) itself. */
export function parentDirs(mounts: readonly Mount[]): string[] {
  const dirs = new Set<string>();
  for (const { dest } of mounts) {
    for (let dir = dirname(dest); dir !== "/" && !dirs.has(dir); dir = dirname(dir)) {
      if (mounts.some((m) => m.dest !== dest && under(dir, m.dest))) break;
      dirs.add(dir);
    }
  }
  return [...dirs].sort((a, b) => a.split(sep).length - b.split(sep).length).flatMap((dir) => ["--perms", "0755", "--dir", dir]);
}

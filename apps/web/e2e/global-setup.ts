import { startBuild } from "./build";

/** Builds the web app while the other projects' tests run; browser test files wait for it (build.ts). */
export default function setup(): () => void {
  const build = startBuild();
  return () => {
    if (build && build.exitCode === null) build.kill("SIGTERM");
  };
}

"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

type Result = { ok: true; courseId: string; title: string; warnings: string[] } | { ok: false; message: string };

/**
 * Uploads a zipped course folder to POST /api/teach/folder (not tRPC: the zip may be up to 10 MB,
 * more than a tRPC request may carry). The body is the zip itself, sent as application/zip.
 */
export function ImportFolderForm() {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      setResult({ ok: false, message: "Choose a .zip file of a course folder (course.yaml and assignments/)." });
      return;
    }
    setPending(true);
    try {
      const response = await fetch("/api/teach/folder", { method: "POST", headers: { "content-type": "application/zip" }, body: file });
      const body = (await response.json()) as { courseId?: string; title?: string; warnings?: string[]; error?: { message: string } };
      if (response.ok && body.courseId) {
        setResult({ ok: true, courseId: body.courseId, title: body.title ?? "the course", warnings: body.warnings ?? [] });
        router.refresh();
      } else setResult({ ok: false, message: body.error?.message ?? `The import failed (HTTP ${response.status}).` });
    } catch {
      setResult({ ok: false, message: "The upload did not reach the server; check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="stack-tight">
        <label htmlFor="folder-zip">Course folder (.zip, at most 10 MB)</label>
        <input
          id="folder-zip"
          name="folder"
          type="file"
          accept=".zip,application/zip"
          aria-describedby="folder-zip-hint"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <span id="folder-zip-hint" className="muted small">
          The format <code>stepwise validate</code> checks: course.yaml and assignments/NN-name.yaml, with any CSV files they use.
        </span>
      </div>
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Importing…" : "Import as a new course"}
        </button>
      </div>
      <div aria-live="polite">
        {result && !result.ok && (
          <p role="alert" className="error-box" data-testid="import-error">
            {result.message}
          </p>
        )}
        {result?.ok && (
          <div className="ok-box">
            Imported <Link href={`/teach/${result.courseId}`}>{result.title}</Link>.
            {result.warnings.length > 0 && (
              <ul>
                {result.warnings.map((warning) => (
                  <li key={warning}>{warning}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </form>
  );
}

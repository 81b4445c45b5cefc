"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";

/** 5 MB, as the server enforces; the request size the web app accepts may be lower. */
const MAX_BYTES = 5 * 1024 * 1024;

/**
 * Reads a CSV file in the browser and uploads its text. The server validates it (header, rows with
 * the header's number of fields, numbers throughout numeric columns) and names the line and column
 * of the first problem.
 */
export function UploadDatasetForm({ courseId }: { courseId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [file, setFile] = useState("");
  const [csv, setCsv] = useState<string | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const upload = useMutation(trpc.courseDataset.upload.mutationOptions({ onSuccess: () => router.refresh() }));

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    setReadError(null);
    setCsv(null);
    upload.reset();
    if (!chosen) return;
    if (chosen.size > MAX_BYTES) {
      setReadError(`${chosen.name} is ${(chosen.size / (1024 * 1024)).toFixed(1)} MB; a dataset is at most 5 MB.`);
      return;
    }
    setFile((current) => current || chosen.name.replace(/[^A-Za-z0-9._-]+/g, "-"));
    setCsv(await chosen.text());
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (csv === null) {
      setReadError("Choose a CSV file first.");
      return;
    }
    upload.mutate({ courseId, file, csv });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack-tight" aria-describedby="upload-hint">
      <label>
        CSV file
        <input type="file" name="csv" accept=".csv,text/csv" onChange={(e) => void onFile(e)} required />
      </label>
      <label>
        Name in the course
        <input
          name="file"
          value={file}
          onChange={(e) => setFile(e.target.value)}
          required
          spellCheck={false}
          autoComplete="off"
          placeholder="loans.csv"
        />
      </label>
      <span id="upload-hint" className="muted small">
        A header row, then one example per row; at most 5 MB and 50,000 rows. Assignments refer to the dataset by this name.
      </span>
      <div className="actions">
        <button type="submit" disabled={upload.isPending}>
          {upload.isPending ? "Uploading…" : "Upload"}
        </button>
      </div>
      <div aria-live="polite">
        {(readError ?? upload.error) && (
          <p role="alert" className="error-box">
            {readError ?? upload.error?.message}
          </p>
        )}
        {upload.data && (
          <div className="ok-box" data-testid="upload-result">
            <p>
              Stored <code>{upload.data.dataset.file}</code>: {upload.data.dataset.rows.toLocaleString("en-US")} rows,{" "}
              {upload.data.columns.length} columns.
            </p>
            <p className="small">{upload.data.columns.map((c) => `${c.name} (${c.kind}, ${c.distinct} distinct)`).join(" · ")}</p>
          </div>
        )}
        {upload.data?.warnings.map((warning) => (
          <p key={warning} role="status" className="note" data-testid="upload-warning">
            {warning}
          </p>
        ))}
      </div>
    </form>
  );
}

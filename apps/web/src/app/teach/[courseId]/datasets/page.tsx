import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { DatasetPreview } from "./dataset-preview";
import { RemoveDatasetButton } from "./remove-dataset-button";
import { UploadDatasetForm } from "./upload-dataset-form";

export const metadata: Metadata = { title: "Course datasets" };

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/**
 * An instructor's own CSV datasets for a course: upload, the facts of a chosen target, removal.
 * Assignments use a dataset by its file name (the assignment's dataset override).
 */
export default async function CourseDatasetsPage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { caller } = await requireUser();
  const [{ course }, datasets] = await load(() => Promise.all([caller.course.byId({ courseId }), caller.courseDataset.list({ courseId })]));
  return (
    <>
      <p>
        <Link href={`/teach/${course.id}`}>← {course.title}</Link>
      </p>
      <h1>Datasets</h1>
      <p className="lede">
        Upload a table as CSV — a header row, then one example per row — and place the seven workflow exercises on it by choosing it as an
        assignment&apos;s dataset, with the column to predict and the task type.
      </p>
      <p className="note" data-testid="hidden-test-note">
        The grader holds back a fixed 20% of the rows as hidden test data, chosen when the table is uploaded: every assignment on it holds
        back the same rows whatever its seed (seeds only shuffle and split the training rows), students never see them, models are trained
        on the other 80% (numeric columns standardized and categories one-hot encoded with statistics of those training rows only), and each
        final model is evaluated on the hidden rows once. The facts below come from the training rows alone.
      </p>

      <section className="card" aria-labelledby="upload-heading">
        <h2 id="upload-heading">Upload a CSV</h2>
        <UploadDatasetForm courseId={course.id} />
      </section>

      <section className="card" aria-labelledby="list-heading">
        <h2 id="list-heading">Datasets in this course</h2>
        {datasets.length === 0 ? (
          <p className="muted">No datasets yet. The built-in tables (credit-default.csv, house-prices.csv) are always available.</p>
        ) : (
          <table aria-labelledby="list-heading" data-testid="dataset-list">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col">Columns</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Uploaded</th>
                <th scope="col">Used by</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.id} data-testid="dataset-row">
                  <th scope="row">
                    <code>{d.file}</code>
                  </th>
                  <td className="num">{d.rows.toLocaleString("en-US")}</td>
                  <td>{d.columns.join(", ")}</td>
                  <td className="num">{size(d.bytes)}</td>
                  <td>{formatDate(d.createdAt)}</td>
                  <td>{d.usedBy.length === 0 ? <span className="muted">—</span> : d.usedBy.join(", ")}</td>
                  <td>
                    <RemoveDatasetButton courseId={course.id} file={d.file} inUse={d.usedBy.length > 0} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {datasets.length > 0 && (
        <section className="card" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Target and facts</h2>
          <DatasetPreview courseId={course.id} datasets={datasets.map((d) => ({ file: d.file, columns: d.columns }))} />
        </section>
      )}
    </>
  );
}

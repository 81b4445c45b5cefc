import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { CreateCourseForm } from "./create-course-form";
import { ImportFolderForm } from "./import-folder-form";

export const metadata: Metadata = { title: "Teach" };

export default async function TeachPage() {
  const { caller, me } = await requireUser();
  const courses = await load(() => caller.course.taught());
  return (
    <>
      <h1>Teach</h1>
      <p className="muted">Courses you teach. Students join a course with its join code.</p>
      {me.role === "admin" && (
        <p>
          <Link href="/teach/jobs">All jobs</Link> (every course&apos;s queue)
        </p>
      )}
      {courses.length === 0 ? (
        <p className="muted">You do not teach any course yet: create one or import a course folder.</p>
      ) : (
        <table aria-label="Courses you teach">
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Join code</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {courses.map((course) => (
              <tr key={course.id} data-testid="taught-course">
                <td>
                  <Link href={`/teach/${course.id}`}>{course.title}</Link>
                </td>
                <td>
                  <code>{course.joinCode}</code>
                </td>
                <td>{formatDate(course.createdAt)}</td>
                <td>{course.archived ? <span className="badge">Archived</span> : <span className="badge passed">Open</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="two-col" style={{ marginTop: "1.5rem" }}>
        <section className="card" aria-labelledby="create-heading">
          <h2 id="create-heading" style={{ marginTop: 0 }}>
            Create a course
          </h2>
          <CreateCourseForm />
        </section>
        <section className="card" aria-labelledby="import-heading">
          <h2 id="import-heading" style={{ marginTop: 0 }}>
            Import a course folder
          </h2>
          <ImportFolderForm />
        </section>
      </div>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "~/trpc/guard";
import { JoinCourseForm } from "./join-course-form";

export const metadata: Metadata = { title: "My courses" };

export default async function CoursesPage() {
  const { caller } = await requireUser();
  const courses = await caller.course.list();
  return (
    <>
      <h1>My courses</h1>
      {courses.length === 0 ? (
        <p className="muted">You are not enrolled in any course yet.</p>
      ) : (
        <ul className="steps">
          {courses.map((course) => (
            <li key={course.id} className="card" style={{ marginBottom: 0 }}>
              <Link href={`/courses/${course.id}`}>{course.title}</Link>{" "}
              <span className="badge">{course.role === "instructor" ? "Instructor" : "Student"}</span>
            </li>
          ))}
        </ul>
      )}
      <section className="card" style={{ marginTop: "1.5rem" }} aria-labelledby="join-heading">
        <h2 id="join-heading" style={{ marginTop: 0 }}>
          Join a course
        </h2>
        <JoinCourseForm />
      </section>
    </>
  );
}

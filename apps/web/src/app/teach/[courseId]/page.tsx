import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { trustedProxies } from "~/env";
import { publicOrigin, toolUrls } from "~/server/lti/deps";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { AssignmentForm } from "../assignment-form";
import { toolboxOptions } from "../toolbox-options";
import { ArchiveButton, CourseSettingsForm } from "./course-settings-form";
import { DeleteAssignmentButton } from "./delete-assignment-button";
import { Instructors } from "./instructors";
import { JoinCode } from "./join-code";
import { LtiPlatforms, LtiRegisterForm, LtiRegistrationLink, LtiToolValues } from "./lti-platforms";

export const metadata: Metadata = { title: "Course settings" };

export default async function TeachCoursePage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { me, caller } = await requireUser();
  const [{ course, assignments }, members, catalog, invitations, platforms] = await load(() =>
    Promise.all([
      caller.course.overview({ courseId }),
      caller.course.members({ courseId }),
      caller.assignment.catalog(),
      caller.invitation.pending({ courseId }),
      caller.lti.platforms(),
    ]),
  );
  // The address this page was reached at is the one the LMS must use (behind trusted proxies, theirs).
  const origin = publicOrigin(new Request("http://stepwise.invalid/", { headers: await headers() }), trustedProxies());
  const ltiUrls = toolUrls(origin);
  return (
    <>
      <p>
        <Link href="/teach">← Teach</Link>
      </p>
      <h1>
        {course.title} {course.archived && <span className="badge">Archived</span>}
      </h1>
      <nav aria-label="Course tools" className="actions">
        <Link href={`/teach/${course.id}/gradebook`}>Gradebook</Link>
        <Link href={`/teach/${course.id}/datasets`}>Datasets</Link>
        <Link href={`/courses/${course.id}`}>Student view</Link>
        <a href={`/api/teach/${course.id}/folder`} download className="button secondary">
          Export course folder (.zip)
        </a>
      </nav>

      <div className="two-col" style={{ marginTop: "1rem" }}>
        <section className="card" aria-labelledby="settings-heading">
          <h2 id="settings-heading" style={{ marginTop: 0 }}>
            Settings
          </h2>
          <CourseSettingsForm course={course} />
          <div className="actions" style={{ marginTop: "0.75rem" }}>
            <ArchiveButton courseId={course.id} archived={course.archived} />
          </div>
        </section>
        <section className="card" aria-labelledby="join-heading">
          <h2 id="join-heading" style={{ marginTop: 0 }}>
            Join code
          </h2>
          <JoinCode courseId={course.id} joinCode={course.joinCode} />
        </section>
      </div>

      <section className="card" aria-labelledby="assignments-heading">
        <h2 id="assignments-heading" style={{ marginTop: 0 }}>
          Assignments
        </h2>
        {assignments.length === 0 ? (
          <p className="muted">No assignments yet.</p>
        ) : (
          <table aria-labelledby="assignments-heading">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Title</th>
                <th scope="col">Exercise</th>
                <th scope="col">Deadline</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {assignments.map((a) => (
                <tr key={a.id} data-testid="teach-assignment-row">
                  <td className="num">{a.position}</td>
                  <td>
                    <Link href={`/teach/${course.id}/assignments/${a.id}`}>{a.title}</Link>
                  </td>
                  <td>
                    Step {a.step} · <code>{a.exerciseId}</code>
                    {Object.keys(a.overrides).length > 0 && (
                      <span className="muted small"> · overrides: {Object.keys(a.overrides).join(", ")}</span>
                    )}
                  </td>
                  <td>{a.deadline === null ? <span className="muted">none</span> : formatDate(a.deadline)}</td>
                  <td className="num">{a.attemptsAllowed ?? "∞"}</td>
                  <td>
                    <div className="actions">
                      <Link href={`/teach/${course.id}/assignments/${a.id}`}>Edit</Link>
                      <DeleteAssignmentButton assignmentId={a.id} title={a.title} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <details style={{ marginTop: "1rem" }}>
          <summary>Add an assignment</summary>
          <div style={{ marginTop: "0.75rem" }}>
            <AssignmentForm
              mode="create"
              courseId={course.id}
              catalog={catalog}
              defaultAttempts={course.settings.defaultAttempts}
              options={toolboxOptions()}
            />
          </div>
        </details>
      </section>

      <section className="card" aria-labelledby="instructors-heading">
        <h2 id="instructors-heading" style={{ marginTop: 0 }}>
          Instructors
        </h2>
        <Instructors courseId={course.id} instructors={members.instructors} pending={invitations} me={me.id} />
      </section>

      <section className="card" aria-labelledby="lti-heading">
        <h2 id="lti-heading" style={{ marginTop: 0 }}>
          LMS (LTI 1.3)
        </h2>
        <p className="muted">
          To run this course inside Canvas, Moodle or another LMS, paste these values into the LMS&apos;s tool configuration, then register
          the LMS here with what it shows you. Then add assignments from the LMS&apos;s tool picker.
        </p>
        <LtiToolValues urls={ltiUrls} />
        <LtiRegistrationLink origin={origin} />
        <h3 id="lti-platforms-heading">Registered LMS platforms</h3>
        <LtiPlatforms platforms={platforms} />
        <details style={{ marginTop: "1rem" }}>
          <summary>Register an LMS</summary>
          <div style={{ marginTop: "0.75rem" }}>
            <LtiRegisterForm />
          </div>
        </details>
      </section>

      <section className="card" aria-labelledby="students-heading">
        <h2 id="students-heading" style={{ marginTop: 0 }}>
          Students ({members.students.length})
        </h2>
        {members.students.length === 0 ? (
          <p className="muted">No students yet: give them the join code.</p>
        ) : (
          <table aria-labelledby="students-heading">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {members.students.map((s) => (
                <tr key={s.userId} data-testid="student-row">
                  <td>
                    <Link href={`/teach/${course.id}/students/${s.userId}`}>{s.name}</Link>
                  </td>
                  <td>{s.email}</td>
                  <td>{formatDate(s.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

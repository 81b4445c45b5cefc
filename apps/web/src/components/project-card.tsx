import Link from "next/link";
import { formatDate } from "~/lib/format";

/** The state words a student sees for each step state of the workflow engine. */
export const STEP_STATE_LABEL: Record<string, string> = {
  locked: "Locked",
  open: "Open",
  submitted: "Grading",
  passed: "Passed",
  graded: "Graded (result withheld)",
  failed: "Not passed yet",
};

interface ProjectStepView {
  id: string;
  number: number;
  title: string;
  state: string;
  attempts: number;
  bestScore: number | null;
  reason: string | null;
  assignmentId: string;
}

export interface ProjectCardProps {
  courseId: string;
  project: {
    key: string;
    label: string;
    summary: { passed: number; total: number; next: { id: string; number: number; title: string } | null };
    steps: ProjectStepView[];
  };
  /** The assignment of each step (by step id): its exercise title, deadline and attempt limit. */
  limits: Record<string, { exerciseTitle: string; deadline: number | null; attemptsAllowed: number | null; attemptsUsed: number } | null>;
}

/** One project (a dataset's seven steps) as a path: where the student is, what is next, and what unlocks the rest. */
export function ProjectCard({ courseId, project, limits }: ProjectCardProps) {
  const { summary } = project;
  const href = (step: { assignmentId: string }) => `/courses/${courseId}/assignments/${step.assignmentId}`;
  const next = summary.next ? project.steps.find((s) => s.id === summary.next?.id) : undefined;
  return (
    <section className="card project" data-testid="project-card" data-project={project.key} aria-labelledby={`project-${project.key}`}>
      <div className="project-head">
        <h2 id={`project-${project.key}`}>{project.label}</h2>
        <span data-testid="project-summary" className="project-summary">
          {summary.passed} of {summary.total} passed
        </span>
      </div>
      <progress
        className="project-progress"
        max={summary.total}
        value={summary.passed}
        aria-label={`${project.label}: ${summary.passed} of ${summary.total} steps passed`}
      />
      {next ? (
        <p>
          <Link className="button" href={href(next)} data-testid="continue-link">
            Continue: step {next.number} — {next.title}
          </Link>
        </p>
      ) : (
        summary.passed === summary.total && <p className="project-done">All steps passed.</p>
      )}
      <ol className="steps path" aria-label={`${project.label} steps`}>
        {project.steps.map((step) => {
          const limit = limits[step.id];
          return (
            <li
              key={step.id}
              className={`step path-step ${step.state}`}
              data-testid="project-step"
              data-state={step.state}
              data-step={step.number}
            >
              <div className="step-number" aria-hidden="true">
                {step.state === "passed" ? "✓" : step.number}
              </div>
              <div>
                {/* The exercise's own title ("Step 5 — beat the baseline on MNIST") names the dataset too. */}
                <Link href={href(step)}>{limit?.exerciseTitle ?? `Step ${step.number} — ${step.title}`}</Link>
                <div className="step-title muted">{step.title}</div>
                <div className="step-meta">
                  {step.state === "locked" && step.reason ? (
                    <span data-testid="lock-reason">{step.reason}</span>
                  ) : (
                    <>
                      Attempts: {limit?.attemptsUsed ?? step.attempts}
                      {limit && limit.attemptsAllowed !== null ? ` of ${limit.attemptsAllowed}` : ""}
                      {step.bestScore !== null && <> · Best score {step.bestScore.toFixed(2)}</>}
                      {limit && limit.deadline !== null && <> · Due {formatDate(limit.deadline)}</>}
                    </>
                  )}
                </div>
              </div>
              <span className={`badge step-state ${step.state}`} data-testid="step-state">
                {STEP_STATE_LABEL[step.state] ?? step.state}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

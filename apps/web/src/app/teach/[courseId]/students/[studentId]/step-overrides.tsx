"use client";

import { StepId } from "@stepwise/core/workflow";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { STEP_STATE_LABEL } from "~/components/project-card";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";

type Project = RouterOutputs["project"]["list"][number];
type Step = Project["steps"][number];

/**
 * One student's project with the instructor's override per step: "Open step N" for a locked step,
 * "Mark step N passed" for one not passed, "Undo" for a step the instructor overrode. A component
 * of its own so the gradebook can host it too.
 */
export function StepOverrides({ courseId, studentId, initial }: { courseId: string; studentId: string; initial: Project }) {
  const trpc = useTRPC();
  const [project, setProject] = useState(initial);
  const override = useMutation(trpc.project.override.mutationOptions({ onSuccess: setProject }));
  const act = (step: Step, action: "open" | "pass" | "clear") => {
    // The engine's step ids come back as plain strings; the procedure checks them against its enum.
    const stepId = StepId.parse(step.id);
    override.mutate({ courseId, studentId, project: project.key, stepId, action });
  };

  return (
    <section className="card" aria-labelledby={`overrides-${project.key}`} data-testid="override-project" data-project={project.key}>
      <h2 id={`overrides-${project.key}`} style={{ marginTop: 0 }}>
        {project.label}{" "}
        <span className="muted small">
          {project.summary.passed} of {project.summary.total} passed
        </span>
      </h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Override</th>
          </tr>
        </thead>
        <tbody>
          {project.steps.map((step) => (
            <tr key={step.id} data-testid="override-step" data-step={step.number} data-state={step.state}>
              <td>
                {step.number}. {step.title}
              </td>
              <td>
                <span className={`badge step-state ${step.state}`}>{STEP_STATE_LABEL[step.state] ?? step.state}</span>
                {step.reason && <div className="muted small">{step.reason}</div>}
              </td>
              <td>{step.attempts}</td>
              <td className="actions">
                {step.override !== null ? (
                  <>
                    <span className="muted small">
                      {step.override === "pass" ? "Marked passed by an instructor" : "Opened by an instructor"}
                    </span>
                    <button type="button" className="secondary" disabled={override.isPending} onClick={() => act(step, "clear")}>
                      Undo
                    </button>
                  </>
                ) : (
                  <>
                    {step.state === "locked" && (
                      <button type="button" className="secondary" disabled={override.isPending} onClick={() => act(step, "open")}>
                        Open step {step.number}
                      </button>
                    )}
                    {step.state !== "passed" && (
                      <button type="button" className="secondary" disabled={override.isPending} onClick={() => act(step, "pass")}>
                        Mark step {step.number} passed
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {override.error && (
        <p role="alert" className="error-box">
          {override.error.message}
        </p>
      )}
    </section>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/trpc/react";

/** After a pass, where the journey goes on: "Next: step N — title", from the workflow engine. */
export function NextStepLink({ submissionId }: { submissionId: string }) {
  const trpc = useTRPC();
  const next = useQuery(trpc.project.next.queryOptions({ submissionId }));
  if (!next.data) return null;
  const { courseId, assignmentId, number, title, project } = next.data;
  return (
    <p className="next-step">
      <Link className="button" href={`/courses/${courseId}/assignments/${assignmentId}`} data-testid="next-step-link">
        Next: step {number} — {title} ({project})
      </Link>
    </p>
  );
}

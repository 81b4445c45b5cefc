import type { AuditEvent } from "@stepwise/db";
import Link from "next/link";
import { describeEvent } from "~/lib/audit-text";
import { TableScroll } from "~/components/table-scroll";
import { formatDate } from "~/lib/format";

/** The assignment's audit log: who changed what, and every grade a regrade changed, newest first. */
export function AuditLog({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="muted">Nothing has been changed since the log started.</p>;
  return (
    <TableScroll label="Audit log entries">
      <table data-testid="audit-log">
        <caption className="visually-hidden">Changes to this assignment and its grades, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} data-testid="audit-row" data-action={event.action}>
              <td className="small nowrap">{formatDate(event.createdAt)}</td>
              <td className="small">{event.actor?.name ?? "system"}</td>
              <td>
                {describeEvent(event)}
                {event.submissionId && (
                  <>
                    {" "}
                    <Link href={`/submissions/${event.submissionId}`} className="small">
                      submission
                    </Link>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

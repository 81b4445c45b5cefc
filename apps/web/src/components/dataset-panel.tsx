import type { DatasetView } from "~/server/datasets";
import { CsvFacts } from "./csv-facts";
import { DigitCanvas } from "./digit-canvas";
import { panelShows, pixelRange } from "./panel-shows";

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

function ClassBalance({ balance, names }: { balance: number[]; names: (i: number) => string }) {
  return (
    <table className="balance" data-testid="class-balance">
      <caption className="visually-hidden">Class balance of the training split</caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col" className="num">
            Share of training examples
          </th>
        </tr>
      </thead>
      <tbody>
        {balance.map((share, i) => (
          <tr key={i}>
            <th scope="row">{names(i)}</th>
            <td className="num">
              <span className="bar" style={{ width: `${Math.round(share * 100 * 3)}px` }} aria-hidden="true" /> {percent(share)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * What the student can know about the data before modelling: shape, sizes, class balance and a few
 * training examples, minus what the step's questions ask (see `panelShows`). Review text is
 * rendered as text (React escapes it), never as HTML.
 */
export function DatasetPanel({ view, step }: { view: DatasetView; step: number }) {
  const shows = panelShows(step);
  if (view.kind === "csv") {
    return (
      <section className="card" aria-labelledby="data-heading" data-testid="dataset-facts">
        <h2 id="data-heading" style={{ marginTop: 0 }}>
          The data: <code>{view.file}</code>
        </h2>
        <p>
          {view.origin === "uploaded" ? "A table your instructor uploaded" : "A built-in table"}
          {shows.target && (
            <>
              ; models predict the column <code>{view.target}</code>
            </>
          )}
          . Everything below comes from the training rows; the hidden test rows are only counted.
        </p>
        {view.replaces && (
          <p className="muted" data-testid="dataset-replaces">
            Your instructor placed this exercise on this table instead of {view.replaces}
            {"preview" in view
              ? "; the description and the starter model are made from this table."
              : `: where the description above mentions ${view.replaces}, its columns or its input size, read this table's.`}
          </p>
        )}
        {"preview" in view ? (
          <CsvFacts preview={view.preview} shows={shows} />
        ) : (
          <p role="alert" className="error-box">
            This dataset cannot be read as the assignment describes it: {view.problem} Tell your instructor.
          </p>
        )}
      </section>
    );
  }
  const { facts } = view;
  const range = view.kind === "mnist" ? pixelRange(view.digits) : undefined;
  return (
    <section className="card" aria-labelledby="data-heading" data-testid="dataset-facts">
      <h2 id="data-heading" style={{ marginTop: 0 }}>
        The data: {view.kind === "mnist" ? "MNIST handwritten digits" : "IMDB movie reviews"}
      </h2>
      <dl className="metrics">
        {shows.task && (
          <div className="metric" data-testid="dataset-task">
            <dt className="label">Task</dt>
            <dd className="value" style={{ margin: 0 }}>
              {facts.task === "multiclass" ? `${facts.numClasses} classes` : facts.task === "binary" ? "Binary" : "Regression"}
            </dd>
          </div>
        )}
        {/* MNIST's shape is the raw image; IMDB's is the vocabulary step 4 chooses. */}
        {(view.kind === "mnist" || shows.encodedInput) && (
          <div className="metric">
            <dt className="label">Input shape</dt>
            <dd className="value" style={{ margin: 0 }}>
              [{facts.naturalShape.join(", ")}]
            </dd>
          </div>
        )}
        <div className="metric">
          <dt className="label">Training examples</dt>
          <dd className="value" style={{ margin: 0 }}>
            {facts.trainSize.toLocaleString("en-US")}
          </dd>
        </div>
        <div className="metric">
          <dt className="label">Test examples (hidden)</dt>
          <dd className="value" style={{ margin: 0 }}>
            {facts.testSize.toLocaleString("en-US")}
          </dd>
        </div>
      </dl>
      <div className="two-col" style={{ marginTop: "1rem" }}>
        <div>
          {view.kind === "mnist" ? (
            <>
              <h3>Some training digits</h3>
              <p className="small" data-testid="pixel-range">
                Their pixels are grey levels stored as whole numbers from {range?.min} to {range?.max}.
              </p>
              <ul className="digits">
                {view.digits.map((d, i) => (
                  <li key={i}>
                    <DigitCanvas pixels={d.pixels} label={d.label} />
                    <span aria-hidden="true">{d.label}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <>
              <h3>Some training reviews</h3>
              <ul className="reviews">
                {view.reviews.map((r, i) => (
                  <li key={i}>
                    <span className={`badge ${r.label === 1 ? "passed" : "failed"}`}>{r.label === 1 ? "positive" : "negative"}</span>{" "}
                    <span className="review-text">{r.text}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        {facts.classBalance && (
          <div>
            <h3>Class balance (training split)</h3>
            <ClassBalance
              balance={facts.classBalance}
              names={(i) => (view.kind === "mnist" ? `Digit ${i}` : i === 1 ? "Positive" : "Negative")}
            />
          </div>
        )}
      </div>
    </section>
  );
}

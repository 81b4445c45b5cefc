import type { BuildResult } from "~/workers/protocol";

export function ModelSummaryTable({ result, maxParams }: { result: BuildResult; maxParams: number }) {
  const over = result.totalParams > maxParams;
  return (
    <div data-testid="model-summary" className="table-scroll" role="region" aria-label="Model summary" tabIndex={0}>
      <table>
        <caption className="visually-hidden">Model summary</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Type</th>
            <th scope="col">Output shape</th>
            <th scope="col" className="num">
              Parameters
            </th>
          </tr>
        </thead>
        <tbody>
          {result.layers.map((layer) => (
            <tr key={layer.name}>
              <td>{layer.name}</td>
              <td>{layer.className}</td>
              <td>
                <code>{layer.outputShape}</code>
              </td>
              <td className="num">{layer.params.toLocaleString("en-US")}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total
            </th>
            <td className="num" data-testid="total-params">
              <strong>{result.totalParams.toLocaleString("en-US")}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      {over && (
        <p className="error-box" role="alert">
          This model has {result.totalParams.toLocaleString("en-US")} parameters; the budget is {maxParams.toLocaleString("en-US")} (
          {(result.totalParams - maxParams).toLocaleString("en-US")} over).
        </p>
      )}
    </div>
  );
}

/** MLflow's `parse_csv_input` refusal: pandas.read_csv's own message inside MLflow's wording, a 400. */
import { FlowOpsError } from "../../errors.js";

export function csvError(detail: string): FlowOpsError {
  return new FlowOpsError(
    "BAD_REQUEST",
    "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas " +
      `DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${detail}'`,
  );
}

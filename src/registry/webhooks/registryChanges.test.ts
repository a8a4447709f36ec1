import { describe, expect, it } from "vitest";
import { pythonJsonDumps } from "../../pythonJson.js";
import { noticeFor, promptFromRequest, type RegistryChange } from "./registryChanges.js";
import { eventName } from "./webhookEvents.js";

/** The event name and the payload as the delivered body spells it. */
function delivered(change: RegistryChange, isPrompt: boolean): [string, string] | undefined {
  const notice = noticeFor(change, isPrompt);
  return notice === undefined ? undefined : [eventName(notice.event), pythonJsonDumps(notice.data)];
}

describe("noticeFor", () => {
  it("sends a created model's tags as a dict and an unset description as an empty string", () => {
    const change: RegistryChange = {
      kind: "registered_model_created",
      name: "m1",
      tags: [
        { key: "a", value: "1" },
        { key: "b", value: "x" },
        { key: "a", value: "2" },
      ],
    };
    // What mlflow 3.17.2 delivered for the same request.
    expect(delivered(change, false)).toEqual([
      "registered_model.created",
      '{"name": "m1", "tags": {"a": "2", "b": "x"}, "description": ""}',
    ]);
  });

  it("sends a created version's missing run id and description as null", () => {
    const change: RegistryChange = {
      kind: "model_version_created",
      name: "m1",
      version: "1",
      source: "runs:/abc/model",
      tags: [{ key: "t", value: "1" }],
    };
    expect(delivered(change, false)).toEqual([
      "model_version.created",
      '{"name": "m1", "version": "1", "source": "runs:/abc/model", "run_id": null, "tags": {"t": "1"}, "description": null}',
    ]);
  });

  it("turns changes to a prompt into prompt events without mlflow's internal prompt tags", () => {
    const created: RegistryChange = {
      kind: "model_version_created",
      name: "greeting",
      version: "2",
      source: "dummy-source",
      tags: [
        { key: "mlflow.prompt.is_prompt", value: "True" },
        { key: "mlflow.prompt.text", value: "Hi {{name}}" },
        { key: "_mlflow_prompt_type", value: "text" },
        { key: "team", value: "nlp" },
      ],
    };
    expect(promptFromRequest(created)).toBe(true);
    expect(delivered(created, true)).toEqual([
      "prompt_version.created",
      '{"name": "greeting", "version": "2", "template": "Hi {{name}}", "tags": {"team": "nlp"}, "description": null}',
    ]);
    expect(delivered({ kind: "alias_set", name: "greeting", alias: "prod", version: "2" }, true)?.[0]).toBe(
      "prompt_alias.created",
    );
    expect(
      delivered({ kind: "registered_model_tag_set", name: "greeting", key: "k", value: "v" }, true),
    ).toEqual(["prompt_tag.set", '{"name": "greeting", "key": "k", "value": "v"}']);
  });

  it("delivers nothing for tags on a registered model that is not a prompt, as mlflow", () => {
    expect(
      delivered({ kind: "registered_model_tag_set", name: "m", key: "k", value: "v" }, false),
    ).toBeUndefined();
    expect(delivered({ kind: "registered_model_tag_deleted", name: "m", key: "k" }, false)).toBeUndefined();
  });

  it("spells version tag and alias events as mlflow's payload classes", () => {
    expect(
      delivered({ kind: "model_version_tag_deleted", name: "m", version: "3", key: "k" }, false),
    ).toEqual(["model_version_tag.deleted", '{"name": "m", "version": "3", "key": "k"}']);
    expect(delivered({ kind: "alias_deleted", name: "m", alias: "champ" }, false)).toEqual([
      "model_version_alias.deleted",
      '{"name": "m", "alias": "champ"}',
    ]);
    expect(promptFromRequest({ kind: "alias_deleted", name: "m", alias: "champ" })).toBeUndefined();
  });
});

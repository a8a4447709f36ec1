import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mlpOnnx } from "../serving/onnx/onnxModelWriter.js";
import { serveCommand } from "./serve.js";

const SERVE_MODULE = fileURLToPath(new URL("./serve.ts", import.meta.url));

describe("flowops serve", () => {
  it("takes --name once per model URI, in order, and refuses another count", async () => {
    await expect(serveCommand().parseAsync(["a", "b", "--name", "x"], { from: "user" })).rejects.toThrow(
      /--name was given 1 time\(s\) for 2 model\(s\); give it once per model URI, in order/,
    );
    await expect(
      serveCommand().parseAsync(["a", "--name", "x", "--name", "y"], { from: "user" }),
    ).rejects.toThrow(/--name was given 2 time\(s\) for 1 model\(s\)/);
  });

  it("refuses a queue delay without a batch size", async () => {
    await expect(
      serveCommand().parseAsync(["a", "--max-queue-delay-ms", "5"], { from: "user" }),
    ).rejects.toThrow(/--max-queue-delay-ms needs --max-batch-size/);
  });

  it("refuses --execution inline with more than one worker", async () => {
    await expect(
      serveCommand().parseAsync(["a", "--execution", "inline", "--workers", "3"], { from: "user" }),
    ).rejects.toThrow(/--execution inline .* cannot use --workers 3/);
  });

  it("regression: refuses --workers 0 instead of accepting it silently", async () => {
    await expect(serveCommand().parseAsync(["a", "--workers", "0"], { from: "user" })).rejects.toThrow(
      /--workers expects a positive whole number, got '0'/,
    );
  });

  it("refuses a --timeout that is not a positive number of seconds", async () => {
    for (const value of ["0", "-5", "soon"]) {
      const command = serveCommand()
        .exitOverride()
        .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      await expect(command.parseAsync(["a", "--timeout", value], { from: "user" })).rejects.toThrow(
        `option '--timeout <seconds>' argument '${value}' is invalid. expected a positive number of seconds.`,
      );
    }
  });

  it("lists the execution modes in its help", () => {
    const help = serveCommand().helpInformation();
    expect(help).toMatch(/--execution <mode>/);
    expect(help.replace(/\s+/g, " ")).toMatch(/choices: "auto", "inline", "workers"/);
  });

  it("refuses a batch size that is not a whole number", async () => {
    await expect(
      serveCommand().parseAsync(["a", "--max-batch-size", "2.5"], { from: "user" }),
    ).rejects.toThrow(/--max-batch-size expects a whole number, got '2.5'/);
  });

  it("fails before listening when the model cannot be loaded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-serve-"));
    try {
      await expect(
        serveCommand().parseAsync([join(dir, "missing-model"), "--port", "0"], { from: "user" }),
      ).rejects.toMatchObject({ name: "FlowOpsError" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("serves an ONNX model directory and exits cleanly on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-serve-"));
    const modelDir = join(dir, "iris");
    await mkdir(modelDir);
    await writeFile(
      join(modelDir, "model.onnx"),
      mlpOnnx({ inputs: 4, hidden: 8, outputs: 3, seed: 3 }).bytes,
    );
    const script =
      `const { serveCommand } = await import(${JSON.stringify(SERVE_MODULE)});` +
      `await serveCommand().parseAsync([${JSON.stringify(modelDir)}, "--port", "0", "--workers", "1"], { from: "user" });`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { ...process.env, FLOWOPS_HOME: join(dir, "home") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const found = /Serving at (http:\S+)/.exec(stdout);
          if (found?.[1] !== undefined) resolve(found[1]);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const response = await fetch(`${url}/v2/models/iris/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [{ name: "input", datatype: "FP32", shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] }],
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { outputs: { name: string; shape: number[] }[] };
      expect(body.outputs.map((output) => [output.name, output.shape])).toEqual([
        ["probabilities", [2, 3]],
        ["label", [2]],
      ]);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toContain("SIGTERM: finishing requests in flight");
    } finally {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

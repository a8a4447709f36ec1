// Writes the vendored schema excerpts as JSON from the compact definitions below (see README.md for sources).
// Run: node deploy/schemas/writeSchemaExcerpts.mjs
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const str = { type: "string" };
const int32 = { type: "integer", format: "int32" };
const intOrString = { anyOf: [{ type: "integer" }, { type: "string" }], "x-kubernetes-int-or-string": true };
const stringMap = { type: "object", additionalProperties: { type: "string" } };
const obj = (properties, required) => ({ type: "object", properties, ...(required ? { required } : {}) });
const arr = (items) => ({ type: "array", items });
const labelSelector = obj({
  matchExpressions: arr(obj({ key: str, operator: str, values: arr(str) }, ["key", "operator"])),
  matchLabels: stringMap,
});
const httpGet = obj({ host: str, path: str, port: intOrString, scheme: str }, ["port"]);
const probe = obj({
  httpGet, initialDelaySeconds: int32, periodSeconds: int32, timeoutSeconds: int32,
  failureThreshold: int32, successThreshold: int32,
});
const quantityMap = { type: "object", additionalProperties: intOrString };
const container = obj({
  name: str, image: str, command: arr(str), args: arr(str),
  env: arr(obj({ name: str, value: str }, ["name"])),
  ports: arr(obj({ containerPort: int32, name: str, protocol: { type: "string", default: "TCP" } }, ["containerPort"])),
  readinessProbe: probe, livenessProbe: probe,
  resources: obj({ limits: quantityMap, requests: quantityMap }),
}, ["name"]);
const podSpec = obj({ containers: arr(container), serviceAccountName: str }, ["containers"]);
const analysisArgs = arr(obj({
  name: str, value: str,
  valueFrom: obj({ fieldRef: obj({ fieldPath: str }, ["fieldPath"]), podTemplateHashValue: str }),
}, ["name"]));
const rolloutAnalysis = obj({
  args: analysisArgs,
  dryRun: arr(obj({ metricName: str }, ["metricName"])),
  templates: arr(obj({ clusterScope: { type: "boolean" }, templateName: str })),
});
const rollout = obj({
  apiVersion: str, kind: str, metadata: { type: "object" },
  spec: obj({
    minReadySeconds: int32, paused: { type: "boolean" }, replicas: int32, revisionHistoryLimit: int32,
    selector: labelSelector,
    strategy: obj({
      blueGreen: obj({
        activeService: str, autoPromotionEnabled: { type: "boolean" }, autoPromotionSeconds: int32,
        postPromotionAnalysis: rolloutAnalysis, prePromotionAnalysis: rolloutAnalysis,
        previewReplicaCount: int32, previewService: str, scaleDownDelaySeconds: int32,
      }, ["activeService"]),
      canary: obj({
        analysis: obj({ ...rolloutAnalysis.properties, startingStep: int32 }),
        canaryService: str, stableService: str, maxSurge: intOrString, maxUnavailable: intOrString,
        steps: arr(obj({
          analysis: rolloutAnalysis,
          pause: obj({ duration: intOrString }),
          setWeight: int32,
        })),
      }),
    }),
    template: obj({ metadata: obj({ annotations: stringMap, labels: stringMap }), spec: podSpec }),
  }),
  status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
}, ["spec"]);
const analysisTemplate = obj({
  apiVersion: str, kind: str, metadata: { type: "object" },
  spec: obj({
    args: arr(obj({ name: str, value: str, valueFrom: obj({ secretKeyRef: obj({ key: str, name: str }, ["key", "name"]) }) }, ["name"])),
    dryRun: arr(obj({ metricName: str }, ["metricName"])),
    metrics: arr(obj({
      consecutiveErrorLimit: intOrString, count: intOrString, failureCondition: str, failureLimit: intOrString,
      inconclusiveLimit: intOrString, initialDelay: str, interval: str, name: str, successCondition: str,
      provider: obj({
        prometheus: obj({ address: str, query: str }),
      }),
    }, ["name", "provider"])),
  }, ["metrics"]),
}, ["spec"]);
const inferenceService = obj({
  apiVersion: str, kind: str, metadata: { type: "object" },
  spec: obj({
    predictor: obj({
      canaryTrafficPercent: { type: "integer", format: "int64" },
      containers: arr(container), maxReplicas: { type: "integer" }, minReplicas: { type: "integer" },
      serviceAccountName: str,
      model: obj({ modelFormat: obj({ name: str, version: str }, ["name"]), runtime: str, storageUri: str }, ["modelFormat"]),
    }),
  }, ["predictor"]),
  status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
});
const service = obj({
  apiVersion: { type: "string", enum: ["v1"] }, kind: { type: "string", enum: ["Service"] },
  metadata: obj({ name: str, namespace: str, labels: stringMap, annotations: stringMap }),
  spec: obj({
    type: str, selector: stringMap, clusterIP: str,
    ports: arr(obj({ appProtocol: str, name: str, nodePort: int32, port: int32, protocol: str,
      targetPort: { oneOf: [{ type: "string" }, { type: "integer" }] } }, ["port"])),
  }),
});
for (const [file, schema] of Object.entries({
  "argo-rollouts-rollout.json": rollout,
  "argo-rollouts-analysistemplate.json": analysisTemplate,
  "kserve-inferenceservice.json": inferenceService,
  "kubernetes-service-v1.json": service,
})) writeFileSync(join(here, file), JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...schema }, null, 2) + "\n");

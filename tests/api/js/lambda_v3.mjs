// Drives lambda-console's REST API with @aws-sdk/client-lambda (v3), as a deploy script would, and prints what each
// call answered as one JSON object. Usage: node lambda_v3.mjs <endpoint> <function name> <package.zip>
import { readFileSync } from "node:fs";
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetFunctionEventInvokeConfigCommand,
  InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, ListTagsCommand, PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand, UpdateFunctionConfigurationCommand, paginateListFunctions,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";

const [endpoint, name, zipPath] = process.argv.slice(2);
const client = new LambdaClient({
  endpoint, region: "eu-west-1", maxAttempts: 1,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const role = "arn:aws:iam::123456789012:role/lambda_basic_execution";
const out = {};

const created = await client.send(new CreateFunctionCommand({
  FunctionName: name, Role: role, Runtime: "python3.12", Handler: "echo.handler",
  Code: { ZipFile: readFileSync(zipPath) }, Tags: { team: "js" },
  Architectures: ["arm64"], TracingConfig: { Mode: "Active" }, LoggingConfig: { LogFormat: "JSON" },
}));
out.created = { arn: created.FunctionArn, architectures: created.Architectures, tracing: created.TracingConfig,
  logging: created.LoggingConfig };
await waitUntilFunctionActiveV2({ client, maxWaitTime: 30 }, { FunctionName: name });

const invoked = await client.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ from: "js" }),
  LogType: "Tail" }));
out.invoked = { status: invoked.StatusCode, payload: JSON.parse(Buffer.from(invoked.Payload).toString()),
  log: Buffer.from(invoked.LogResult, "base64").toString() };

const streamed = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: name,
  Payload: JSON.stringify({ streamed: true }) }));
out.streamed = [];
for await (const event of streamed.EventStream) {
  if (event.PayloadChunk) out.streamed.push({ chunk: Buffer.from(event.PayloadChunk.Payload).toString() });
  if (event.InvokeComplete) out.streamed.push({ complete: event.InvokeComplete });
}

const updated = await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name,
  VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] }, Timeout: 9 }));
out.updated = { vpc: updated.VpcConfig, timeout: updated.Timeout };
out.published = (await client.send(new PublishVersionCommand({ FunctionName: name }))).Version;

await client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 }));
const eic = await client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
out.eventInvokeConfig = { retries: eic.MaximumRetryAttempts, lastModifiedIsDate: eic.LastModified instanceof Date };

out.tags = (await client.send(new ListTagsCommand({ Resource: created.FunctionArn }))).Tags;
const got = await client.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "1" }));
out.gotVersion = { version: got.Configuration.Version, architectures: got.Configuration.Architectures };

const names = [];
for await (const page of paginateListFunctions({ client, pageSize: 1 }, {})) {
  names.push(...page.Functions.map((f) => f.FunctionName));
}
out.listed = names.includes(name);

await client.send(new DeleteFunctionCommand({ FunctionName: name }));
try {
  await client.send(new GetFunctionCommand({ FunctionName: name }));
  out.afterDelete = "still there";
} catch (error) {
  out.afterDelete = { name: error.name, status: error.$metadata.httpStatusCode };
}
console.log(JSON.stringify(out));

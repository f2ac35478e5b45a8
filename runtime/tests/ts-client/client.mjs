// Drives the faq example (runtime/examples/faq.rs) over Streamable HTTP with the
// official TypeScript SDK client, @modelcontextprotocol/sdk (pinned in
// package-lock.json). Usage: node client.mjs http://127.0.0.1:PORT/mcp
// Ends with "ts-client: N passed, N failed" and exits non-zero on any failure.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const url = process.argv[2] ?? process.env.MCP_URL;
if (!url) {
  console.error("usage: node client.mjs http://127.0.0.1:PORT/mcp");
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(label, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`ok   ${label}`);
  } else {
    failed += 1;
    console.log(`FAIL ${label}${detail ? `: ${detail}` : ""}`);
  }
}
const show = (v) => JSON.stringify(v);
const text = (result) =>
  (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");
const sameJson = (a, b) => show(a) === show(b);

// Runs one step; an exception fails it instead of ending the run.
async function step(label, body) {
  try {
    await body();
  } catch (e) {
    check(label, false, `threw ${e?.stack ?? e}`);
  }
}

const client = new Client({ name: "mcp-runtime-ts-client", version: "1.0.0" });
const logs = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  logs.push(typeof n.params.data === "string" ? n.params.data : show(n.params.data));
});
const transport = new StreamableHTTPClientTransport(new URL(url));

try {
  await client.connect(transport);
} catch (e) {
  check("connect (initialize)", false, `threw ${e?.stack ?? e}`);
  console.log(`ts-client: ${passed} passed, ${failed} failed`);
  process.exit(1);
}
check("connect (initialize)", true);
const info = client.getServerVersion();
check("serverInfo.name is \"FastMCP FAQ\"", info?.name === "FastMCP FAQ", show(info));
check("session id issued", typeof transport.sessionId === "string" && transport.sessionId.length > 0);

await step("tools/list", async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  check("tools/list has 20 tools", tools.length === 20, `${tools.length}: ${names.join(", ")}`);
  for (const name of ["greet", "add", "create_user", "long_running_task"]) {
    check(`tools/list has ${name}`, names.includes(name));
  }
  check(
    "every tool has an object inputSchema",
    tools.every((t) => t.inputSchema?.type === "object"),
  );
});

await step("tools/call greet", async () => {
  const r = await client.callTool({ name: "greet", arguments: { name: "Alice" } });
  check("greet(Alice) -> \"Hello, Alice!\"", !r.isError && text(r) === "Hello, Alice!", show(r));
});

await step("tools/call add", async () => {
  const r = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
  check("add(2, 40) -> 42", !r.isError && text(r) === "42", show(r));
  check("add structuredContent {result: 42}", sameJson(r.structuredContent, { result: 42 }), show(r.structuredContent));
});

await step("tools/call create_user (good)", async () => {
  logs.length = 0;
  const user = { name: "Alice", age: 30, email: "alice@example.com" };
  const r = await client.callTool({ name: "create_user", arguments: { user } });
  check(
    "create_user(Alice) -> user_id 6198",
    !r.isError && sameJson(r.structuredContent, { user_id: 6198, ...user }),
    show(r),
  );
  check(
    "create_user logs \"Creating user: Alice\"",
    logs.some((l) => l.includes("Creating user: Alice")),
    show(logs),
  );
});

await step("tools/call create_user (bad email)", async () => {
  const user = { name: "Alice", age: 30, email: "not-an-email" };
  const r = await client.callTool({ name: "create_user", arguments: { user } });
  const t = text(r);
  check("create_user(bad email) -> isError", r.isError === true, show(r));
  check(
    "the error names the field user.email and the rule",
    t.includes("user.email") && t.includes("not-an-email") && t.includes("(rule: pattern)"),
    t,
  );
});

await step("tools/call long_running_task with progress", async () => {
  logs.length = 0;
  const progress = [];
  const r = await client.callTool(
    { name: "long_running_task", arguments: { items: ["a", "b", "c"] } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  );
  check(
    "long_running_task -> processed_a, processed_b, processed_c",
    !r.isError && sameJson(r.structuredContent, { result: ["processed_a", "processed_b", "processed_c"] }),
    show(r),
  );
  check("at least 3 progress notifications", progress.length >= 3, show(progress));
  check(
    "progress increases",
    progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress),
    show(progress),
  );
  check(
    "progress carries total 1 and a message",
    progress.every((p) => p.total === 1 && typeof p.message === "string"),
    show(progress),
  );
  check(
    "logs \"Starting to process 3 items\"",
    logs.some((l) => l.includes("Starting to process 3 items")),
    show(logs),
  );
});

await step("resources/read config://app-settings", async () => {
  const r = await client.readResource({ uri: "config://app-settings" });
  const c = r.contents?.[0] ?? {};
  check("config://app-settings is application/json", c.mimeType === "application/json", show(c));
  let parsed;
  try {
    parsed = JSON.parse(c.text ?? "");
  } catch {
    parsed = undefined;
  }
  check(
    "config://app-settings = {version 1.0, debug false, max_connections 100}",
    sameJson(parsed, { version: "1.0", debug: false, max_connections: 100 }),
    c.text,
  );
});

await step("close (DELETE)", async () => {
  await transport.terminateSession();
  await client.close();
  check("session terminated and client closed", true);
});

console.log(`ts-client: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

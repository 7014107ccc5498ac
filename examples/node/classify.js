// Classify one article and check Health on a newsdesk server, from protos/ alone.
//
//   node classify.js [HOST:PORT]      (default 127.0.0.1:50051; env NEWSDESK_TOKEN if the server has one)
//
// The include path is the repository's protos/ folder (or NEWSDESK_PROTOS, e.g. an installed
// newsdesk's <prefix>/share/newsdesk/protos): newsdesk.proto imports google/rpc/status.proto,
// which is vendored there, so no other proto package is needed.
"use strict";

const path = require("path");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");

const protos = process.env.NEWSDESK_PROTOS || path.resolve(__dirname, "..", "..", "protos");
const address = process.argv[2] || "127.0.0.1:50051";
if (!require("fs").existsSync(path.join(protos, "newsdesk", "v1", "newsdesk.proto"))) {
  console.error(`no newsdesk/v1/newsdesk.proto under ${protos}: set NEWSDESK_PROTOS to newsdesk's protos/ folder`);
  process.exit(2);
}
const options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protos] };

const definition = protoLoader.loadSync(["newsdesk/v1/newsdesk.proto", "grpc/health/v1/health.proto"], options);
const loaded = grpc.loadPackageDefinition(definition);
const credentials = grpc.credentials.createInsecure();
const newsdesk = new loaded.newsdesk.v1.NewsDesk(address, credentials);
const health = new loaded.grpc.health.v1.Health(address, credentials);

const metadata = new grpc.Metadata();
if (process.env.NEWSDESK_TOKEN) metadata.set("authorization", `Bearer ${process.env.NEWSDESK_TOKEN}`);
const deadline = () => new Date(Date.now() + 10000);

health.Check({ service: "newsdesk.v1.NewsDesk" }, { deadline: deadline() }, (err, reply) => {
  if (err) return fail("Health", err);
  console.log(`health: ${reply.status}`);
  const request = {
    articles: [{ id: "a1", title: "教育部部署高校毕业生就业工作", text: "教育部近日召开会议，部署高校毕业生就业创业工作。会议强调，要拓宽就业渠道。" }],
    keywords: 3,
  };
  newsdesk.Classify(request, metadata, { deadline: deadline() }, (err2, response) => {
    if (err2) return fail("Classify", err2);
    for (const r of response.results) {
      const top = r.scores[0];
      console.log(`classify: ${r.id} ${r.label} ${top.score.toFixed(3)} review=${r.review} keywords=${[...new Set(r.keywords.map((k) => k.term))].join(",")}`);
    }
    newsdesk.close();
    health.close();
  });
});

function fail(what, err) {
  console.error(`${what} failed: ${err.code} ${err.details}`);
  // A status our server sent carries google.rpc details; gRPC's own "no connection" does not.
  const answered = Boolean(err.metadata && err.metadata.get("grpc-status-details-bin").length);
  if (err.code === grpc.status.UNAVAILABLE && answered) {
    // it said "no newsdesk server answered" to a server that had answered (its model loading)
    console.error(`the newsdesk server at ${address} answered but cannot take calls yet: retry shortly (health says SERVING once it can).`);
  } else if (err.code === grpc.status.UNAVAILABLE) {
    // gRPC's words alone ("No connection established") did not say what to check.
    console.error(`no newsdesk server answered at ${address}: is \`newsdesk serve\` running there, and is this its gRPC port (not --http-address)? This example speaks plain gRPC: a server with --tls-cert refuses it.`);
  }
  process.exit(1);
}

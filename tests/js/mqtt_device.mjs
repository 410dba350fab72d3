// A device on the `mqtt` package (MQTT.js): connects to the URL it is given (wss:// with a SigV4
// presigned path, or mqtts:// with a client certificate), subscribes, publishes, and prints what
// came back as JSON.
import { readFileSync } from "node:fs";
import mqtt from "mqtt";

const env = process.env;
const options = {
  clientId: env.CLIENT_ID,
  protocolVersion: Number(env.PROTOCOL_VERSION || 4),
  ca: readFileSync(env.CA_FILE),
  reconnectPeriod: 0,
  connectTimeout: 10000,
};
if (env.CERT_FILE) {
  options.cert = readFileSync(env.CERT_FILE);
  options.key = readFileSync(env.KEY_FILE);
}
const client = mqtt.connect(env.URL, options);
const result = {};
const done = (code) => {
  console.log(JSON.stringify(result));
  client.end(true, () => process.exit(code));
};
setTimeout(() => { result.error = "timed out"; done(1); }, 15000);
client.on("error", (error) => { result.error = String(error.message || error); done(1); });
client.on("connect", (connack) => {
  result.connack = { reasonCode: connack.reasonCode ?? connack.returnCode ?? 0,
                     properties: connack.properties ?? null };
  client.subscribe(env.TOPIC, { qos: 1 }, (error, granted) => {
    if (error) { result.error = String(error); return done(1); }
    result.granted = granted.map((g) => g.qos);
    const properties = result.connack.properties ? { userProperties: { from: "node" } } : undefined;
    client.publish(env.TOPIC, "hello from node", { qos: 1, properties });
  });
});
client.on("message", (topic, payload, packet) => {
  result.message = { topic, payload: payload.toString(),
                     userProperties: packet.properties?.userProperties ?? null };
  done(0);
});

// A JS SDK v3 caller of the data plane: finds the endpoint through AWS_ENDPOINT_URL_IOT_DATA_PLANE.
import {
  IoTDataPlaneClient,
  UpdateThingShadowCommand,
  GetThingShadowCommand,
  PublishCommand,
  GetRetainedMessageCommand,
} from "@aws-sdk/client-iot-data-plane";

const client = new IoTDataPlaneClient({});
const text = (bytes) => new TextDecoder().decode(bytes);
const result = {};
await client.send(new UpdateThingShadowCommand({
  thingName: "lamp",
  payload: new TextEncoder().encode(JSON.stringify({ state: { desired: { on: true } } })),
}));
const shadow = await client.send(new GetThingShadowCommand({ thingName: "lamp" }));
result.shadow = JSON.parse(text(shadow.payload));
await client.send(new PublishCommand({
  topic: "lamp/status", payload: new TextEncoder().encode("online"), retain: true, qos: 1,
}));
const retained = await client.send(new GetRetainedMessageCommand({ topic: "lamp/status" }));
result.retained = { payload: text(retained.payload), qos: retained.qos };
try {
  await client.send(new GetThingShadowCommand({ thingName: "nothing" }));
} catch (error) {
  result.error = { name: error.name, status: error.$metadata.httpStatusCode };
}
console.log(JSON.stringify(result));

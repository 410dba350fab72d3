// A JS SDK v3 caller: finds the endpoint through AWS_ENDPOINT_URL_IOT, like any user's code.
import {
  IoTClient,
  CreateKeysAndCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
} from "@aws-sdk/client-iot";

const client = new IoTClient({});
const result = {};
const created = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
result.created = { arn: created.certificateArn, id: created.certificateId, pem: created.certificatePem };
const listed = await client.send(new ListCertificatesCommand({ pageSize: 250 }));
result.listed = listed.certificates.map((c) => c.certificateId);
try {
  await client.send(new DescribeCertificateCommand({ certificateId: "0".repeat(64) }));
} catch (error) {
  result.error = { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}
console.log(JSON.stringify(result));

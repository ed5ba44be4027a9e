// A local S3-compatible server (s3rver) for the tests, run as its own process by test/helpers/s3.ts:
//   node --openssl-legacy-provider test/helpers/local-s3.mjs DIRECTORY BUCKET
// It prints {"port": N} once listening, and stops when its standard input closes (the test process ended or died).
// Its own process because s3rver signs list continuation tokens with DES, which OpenSSL 3 only has in its legacy
// provider, a switch the whole process must be started with.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
process.stdin.resume();

// The keep-alive HTTP target of bench/loadgen.ts, in its own process so it does not share the
// generator's core. Tiny fixed response; counts requests; reports its port and counts over IPC.
import { createServer } from 'node:http';

const BODY = Buffer.from('ok');
let requests = 0;
const server = createServer((_req, res) => {
  requests++;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: server.address().port });
});
process.on('message', (message) => {
  if (message === 'count') process.send?.({ type: 'count', requests });
  if (message === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

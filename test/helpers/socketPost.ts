// POSTs a chat-completions body over a unix socket (the recording proxy listens on one) and
// resolves with the status once the response has been read to its end.
import { request } from 'node:http';

export function postOverSocket(socketPath: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

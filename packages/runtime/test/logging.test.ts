import { describe, expect, it } from 'vitest';
import { captureLogger } from './helpers.js';

describe('createLogger', () => {
  it('writes JSON lines tagged with service, node and component, level as a label', () => {
    const { logger, lines } = captureLogger();
    logger.child({ component: 'swim' }).info({ peers: 3 }, 'joined');
    logger.debug('hidden at info level');
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 'info',
      service: 'test-svc',
      nodeId: 'node-1',
      component: 'swim',
      peers: 3,
      msg: 'joined',
    });
    expect(typeof line?.['time']).toBe('string');
  });

  it('redacts secrets at the top level, one level down and in headers', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        authorization: 'Bearer abc',
        keyring: { key: 'k1', secret: 's1', id: 'primary' },
        request: { headers: { authorization: 'Basic xyz', accept: 'json' } },
        password: 'p',
      },
      'with secrets',
    );
    const text = JSON.stringify(lines());
    for (const secret of ['Bearer abc', 'k1', 's1', 'Basic xyz', '"p"']) expect(text).not.toContain(secret);
    expect(lines()[0]).toMatchObject({
      authorization: '[redacted]',
      keyring: { key: '[redacted]', secret: '[redacted]', id: 'primary' },
      request: { headers: { authorization: '[redacted]', accept: 'json' } },
    });
  });
});

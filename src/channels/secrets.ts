// Robot keys and signing secrets an admin enters are sealed before they reach the database: AES-256-GCM with a key
// from the environment (ORGLIFE_SECRETS_KEY), so a database dump holds no usable secret.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

function keyBytes(key: string): Buffer {
  // Any string of 32+ characters; hashed to the 32 bytes AES-256 takes.
  return createHash('sha256').update(key).digest();
}

export function seal(key: string, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `v1.${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

export function unseal(key: string, sealed: string): string {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
  const d = createDecipheriv('aes-256-gcm', keyBytes(key), Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}
